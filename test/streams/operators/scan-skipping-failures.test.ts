import { describe, expect, it } from 'vitest';
import { scanSkippingFailures } from '../../../src/streams/operators/scan-skipping-failures.js';
import { marbleScheduler } from '../../support/marbles.js';

describe('scanSkippingFailures', () => {
  it('skips a throwing step, reports it, and folds on from the last good state', () => {
    const failures: unknown[] = [];
    marbleScheduler().run(({ cold, expectObservable }) => {
      const source = cold('--a--b--c--|', { a: 1, b: 2, c: 3 });
      const result = source.pipe(
        scanSkippingFailures(
          (sum: number | undefined, value: number) => {
            if (value === 2) throw new Error('two');
            return (sum ?? 0) + value;
          },
          (error, value) => failures.push([String(error), value]),
        ),
      );
      expectObservable(result).toBe('--x-----y--|', { x: 1, y: 4 });
    });
    expect(failures).toEqual([['Error: two', 2]]);
  });

  it('passes errors of the source through', () => {
    marbleScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-#', { a: 1 }).pipe(scanSkippingFailures((_: number | undefined, value: number) => value, () => undefined));
      expectObservable(result).toBe('-a-#', { a: 1 });
    });
  });
});
