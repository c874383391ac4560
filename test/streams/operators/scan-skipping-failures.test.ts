import { describe, it } from 'vitest';
import { scanSkippingFailures } from '../../../src/streams/operators/scan-skipping-failures.js';
import { marbleScheduler } from '../../support/marbles.js';

describe('scanSkippingFailures', () => {
  it('skips a throwing step, keeps the last good state, and passes completion through', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const failures: number[] = [];
      const sum = scanSkippingFailures(
        (state: number | undefined, value: number) => {
          if (value < 0) throw new Error('negative');
          return (state ?? 0) + value;
        },
        (_error, value) => failures.push(value),
      );
      expectObservable(cold('-a-b-c-|', { a: 1, b: -5, c: 2 }).pipe(sum)).toBe('-x---y-|', { x: 1, y: 3 });
    });
  });

  it('passes a source error through untouched', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const identity = scanSkippingFailures((_state: number | undefined, value: number) => value, () => undefined);
      expectObservable(cold('-a-#', { a: 1 }).pipe(identity)).toBe('-a-#', { a: 1 });
    });
  });
});
