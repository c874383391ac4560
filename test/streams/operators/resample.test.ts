import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { Bar } from '../../../src/domain/bar.js';
import { resample } from '../../../src/streams/operators/resample.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const MINUTE = 60_000;
const bar = (minute: number, open: number, high: number, low: number, close: number, volume: number): Bar => ({
  time: minute * MINUTE,
  open,
  high,
  low,
  close,
  volume,
});

describe('resample', () => {
  it('emits the in-progress coarse bar as sub-bars update and close, and starts anew each period', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-e|', {
        a: bar(0, 10, 11, 9, 10, 5),
        b: bar(0, 10, 12, 9, 11, 8), // update of the 10:00 sub-bar
        c: bar(1, 11, 11, 8, 9, 3), // next sub-bar: 10:00 is closed
        d: bar(4, 9, 13, 9, 12, 1),
        e: bar(5, 12, 12, 12, 12, 2), // first sub-bar of the next 5-minute period
      });
      expectObservable(source.pipe(resample('5'))).toBe('a-b-c-d-e|', {
        a: bar(0, 10, 11, 9, 10, 5),
        b: bar(0, 10, 12, 9, 11, 8),
        c: bar(0, 10, 12, 8, 9, 11),
        d: bar(0, 10, 13, 8, 12, 12),
        e: bar(5, 12, 12, 12, 12, 2),
      });
    });
  });

  it('stamps the first coarse bar with its period start even when it starts mid-period', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a|', { a: bar(7, 1, 2, 1, 2, 4) });
      expectObservable(source.pipe(resample('5'))).toBe('a|', { a: bar(5, 1, 2, 1, 2, 4) });
    });
  });

  it('ignores a sub-bar older than the current one', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|', { a: bar(2, 1, 2, 1, 2, 4), b: bar(1, 5, 9, 0, 5, 100), c: bar(2, 1, 3, 1, 3, 5) });
      expectObservable(source.pipe(resample('5'))).toBe('a---c|', { a: bar(0, 1, 2, 1, 2, 4), c: bar(0, 1, 3, 1, 3, 5) });
    });
  });

  it('passes errors through', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      expectObservable(cold<Bar>('-#').pipe(resample('1D'))).toBe('-#');
    });
  });

  it('keeps every coarse bar consistent and its volume the sum of its sub-bars', async () => {
    const subBars = fc.array(
      fc.record({ minute: fc.nat(30), a: fc.integer({ min: 1, max: 500 }), b: fc.integer({ min: 1, max: 500 }), v: fc.nat(100) }),
      { minLength: 1, maxLength: 40 },
    );
    await fc.assert(
      fc.asyncProperty(subBars, async (raw) => {
        const sorted = [...raw].sort((x, y) => x.minute - y.minute);
        const input = sorted.map(({ minute, a, b, v }) => bar(minute, a, Math.max(a, b), Math.min(a, b), b, v));
        const output = await lastValueFrom(from(input).pipe(resample('15'), toArray()));
        expect(output).toHaveLength(input.length);
        const last = output.at(-1);
        const lastPeriod = Math.floor(sorted.at(-1)!.minute / 15);
        // the final coarse bar's volume: each sub-bar's last state, summed over its period
        const finalStates = new Map(input.filter((b) => Math.floor(b.time / MINUTE / 15) === lastPeriod).map((b) => [b.time, b]));
        expect(last?.volume).toBe([...finalStates.values()].reduce((sum, b) => sum + b.volume, 0));
        for (const coarse of output) {
          expect(coarse.low).toBeLessThanOrEqual(Math.min(coarse.open, coarse.close));
          expect(coarse.high).toBeGreaterThanOrEqual(Math.max(coarse.open, coarse.close));
          expect(coarse.time % (15 * MINUTE)).toBe(0);
        }
      }),
    );
  });
  it('starts mid-period from what history says the coarse bar already held, and asks only once', () => {
    const asked: number[] = [];
    const history = (subBar: Bar): Bar | undefined => {
      asked.push(subBar.time);
      return subBar.time === 2 * MINUTE ? bar(0, 10, 14, 8, 9, 40) : undefined;
    };
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|', {
        a: bar(2, 9, 10, 9, 10, 5), // subscribed at 10:02: 10:00 and 10:01 closed before
        b: bar(3, 10, 15, 10, 11, 3),
        c: bar(5, 11, 11, 11, 11, 1), // the next period owes nothing to history
      });
      expectObservable(source.pipe(resample('5', history))).toBe('a-b-c|', {
        a: bar(0, 10, 14, 8, 10, 45),
        b: bar(0, 10, 15, 8, 11, 48),
        c: bar(5, 11, 11, 11, 11, 1),
      });
    });
    expect(asked).toEqual([2 * MINUTE]);
  });
});
