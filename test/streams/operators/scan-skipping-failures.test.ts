import { describe, expect, it } from 'vitest';
import { scanSkippingFailures } from '../../../src/streams/operators/scan-skipping-failures.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

describe('scanSkippingFailures', () => {
  it('skips a value whose accumulator throws and carries on from the last good state', () => {
    const failures: unknown[] = [];
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const sum = (state: number | undefined, value: number): number => {
        if (value < 0) throw new Error(`negative ${value}`);
        return (state ?? 0) + value;
      };
      const source = cold('-a-b-c-|', { a: 1, b: -5, c: 2 });
      expectObservable(source.pipe(scanSkippingFailures(sum, (error) => failures.push(error)))).toBe('-x---y-|', { x: 1, y: 3 });
    });
    expect(failures).toEqual([new Error('negative -5')]);
  });

  it('passes source errors through', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('-a-#', { a: 1 });
      expectObservable(source.pipe(scanSkippingFailures((_state: number | undefined, value: number) => value, () => undefined))).toBe('-a-#', { a: 1 });
    });
  });
});
