import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historicalBar } from '../../src/domain/bar-path.js';
import { RESOLUTIONS } from '../../src/domain/resolution.js';
import { createTestHub, marbleDiagram, marbleScheduler, mockSeries, subscribedBetween } from '../../src/testing/index.js';

const vitestEqual = (actual: unknown, expected: unknown): void => {
  expect(actual).toEqual(expected);
};

describe('mockSeries: the deterministic bars of the mock market', () => {
  it('is what a live bars topic of the test hub emits, started at any frame', () => {
    const series = mockSeries({ symbol: 'MSFT', seed: 9, periodMs: 25_000 });
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const testHub = createTestHub({ scheduler, seed: 9, periodMs: 25_000 });
      const bars$ = testHub.topic('bars', { symbol: 'MSFT' }).stream$;
      // ticks at 0, 25 s, 50 s, 59.999 s (the close), 75 s
      const first = series.liveMarbles(5);
      expectObservable(bars$, subscribedBetween(0, 75_001)).toBe(first.marbles, first.values);
      // restarted mid-period at 100 s: it reads the clock at once, then its own phase
      const again = series.liveMarbles(4, 100_000);
      expectObservable(bars$, subscribedBetween(100_000, 150_001)).toBe(again.marbles, again.values);
    });
    expect(series.tickTimes(5)).toEqual([0, 25_000, 50_000, 59_999, 75_000]);
  });

  it('gives the bar at any virtual time without running a stream, equal to the live bar at its ticks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 }), fc.constantFrom(...RESOLUTIONS), fc.integer({ min: 0, max: 40 * 86_400_000 }), fc.integer({ min: 1, max: 600_000 }), (seed, resolution, from, periodMs) => {
        const series = mockSeries({ symbol: 'AAPL', seed, resolution, periodMs });
        for (const { frame, value } of series.liveTimeline(8, from)) expect(series.barAt(frame)).toEqual(value);
      }),
      { numRuns: 60 },
    );
  });

  it("closes each period on history's bar", () => {
    const series = mockSeries({ symbol: 'AAPL', resolution: '5', seed: 3 });
    expect(series.barAt(299_999)).toEqual(series.closedBarAt(0));
    expect(series.closedBarAt(310_000)).toEqual(historicalBar(series.context, 1));
  });

  it('is a cold observable for marble tests, subscribed like any cold source', () => {
    const series = mockSeries({ symbol: 'AAPL', periodMs: 20_000 });
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable, expectSubscriptions }) => {
      const bars$ = series.cold(scheduler, 3);
      const [a, b, c] = series.liveBars(3);
      expectObservable(bars$, '10ms ^').toBe('10ms a 19999ms b 19999ms c', { a, b, c });
      expectSubscriptions(bars$.subscriptions).toBe('10ms ^');
    });
  });
});

describe('marbleDiagram and subscribedBetween', () => {
  it('writes a timeline as run-mode marbles, grouping values of one frame', () => {
    expect(marbleDiagram([{ frame: 0, value: 1 }, { frame: 10, value: 2 }, { frame: 10, value: 3 }, { frame: 20, value: 4 }], { complete: 30 })).toEqual({
      marbles: 'a 9ms (bc) 6ms d 9ms |',
      values: { a: 1, b: 2, c: 3, d: 4 },
    });
    expect(marbleDiagram([{ frame: 5, value: 'x' }]).marbles).toBe('5ms a');
    expect(Object.keys(marbleDiagram(Array.from({ length: 60 }, (_, frame) => ({ frame: frame * 2, value: frame }))).values).at(-1)).toBe('\u4e07');
  });

  it('refuses a timeline it cannot write', () => {
    expect(() => marbleDiagram([{ frame: 0, value: 1 }, { frame: 0, value: 2 }, { frame: 2, value: 3 }])).toThrow(RangeError);
    expect(() => marbleDiagram([{ frame: -1, value: 1 }])).toThrow(RangeError);
    expect(() => subscribedBetween(5, 5)).toThrow(RangeError);
  });

  it('writes subscription marbles between two frames', () => {
    expect([subscribedBetween(0), subscribedBetween(0, 36), subscribedBetween(15, 16), subscribedBetween(15, 45)]).toEqual(['^', '^ 35ms !', '15ms ^!', '15ms ^ 29ms !']);
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectSubscriptions }) => {
      const source = cold('a 100ms b|');
      scheduler.schedule(() => {
        const subscription = source.subscribe();
        scheduler.schedule(() => subscription.unsubscribe(), 30);
      }, 15);
      expectSubscriptions(source.subscriptions).toBe(subscribedBetween(15, 45));
    });
  });
});
