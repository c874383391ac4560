import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConsistentBar, roundToCent, type Bar } from '../../src/domain/bar.js';
import { historicalBar } from '../../src/domain/bar-path.js';
import { mockLastBar, type MockBarContext } from '../../src/domain/mock-bar.js';
import { periodIndex, periodStartAt } from '../../src/domain/period-index.js';
import { periodStart, RESOLUTIONS } from '../../src/domain/resolution.js';

const context = fc.record({
  seed: fc.integer(),
  symbol: fc.constantFrom('AAPL', 'MSFT', 'BTC-USD', 'X'),
  resolution: fc.constantFrom(...RESOLUTIONS),
});
const start = fc.integer({ min: 0, max: 3_000_000_000_000 });
/** Clock steps: mostly small, sometimes across several periods, sometimes backwards. */
const steps = fc.array(fc.oneof(fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 0, max: 3_000_000_000 }), fc.integer({ min: -60_000, max: 0 })), {
  minLength: 1,
  maxLength: 40,
});

function fold(ctx: MockBarContext, times: readonly number[]): Bar[] {
  const bars: Bar[] = [];
  let previous: Bar | undefined;
  for (const now of times) {
    previous = mockLastBar(previous, now, ctx);
    bars.push(previous);
  }
  return bars;
}

function clock(from: number, deltas: readonly number[]): number[] {
  let now = from;
  return deltas.map((delta) => (now += delta));
}

const isCent = (price: number): boolean => roundToCent(price) === price;

describe('mockLastBar', () => {
  it('keeps every bar consistent, on the cent grid, with positive prices', () => {
    fc.assert(
      fc.property(context, start, steps, (ctx, from, deltas) => {
        for (const bar of fold(ctx, clock(from, deltas))) {
          expect(isConsistentBar(bar)).toBe(true);
          for (const price of [bar.open, bar.high, bar.low, bar.close]) {
            expect(isCent(price)).toBe(true);
            expect(price).toBeGreaterThan(0);
          }
        }
      }),
    );
  });

  it('never moves time back, keeps open and grows volume inside a period, opens at the previous close', () => {
    fc.assert(
      fc.property(context, start, steps, (ctx, from, deltas) => {
        const times = clock(from, deltas);
        const bars = fold(ctx, times);
        for (let index = 1; index < bars.length; index += 1) {
          const previous = bars[index - 1] as Bar;
          const bar = bars[index] as Bar;
          const now = times[index] as number;
          expect(bar.time).toBeGreaterThanOrEqual(previous.time);
          if (bar.time === previous.time) {
            expect(bar.open).toBe(previous.open);
            expect(bar.volume).toBeGreaterThanOrEqual(previous.volume);
            expect(bar.high).toBeGreaterThanOrEqual(previous.high);
            expect(bar.low).toBeLessThanOrEqual(previous.low);
          } else {
            expect(bar.time).toBe(periodStart(ctx.resolution, now));
            expect(bar.open).toBe(previous.close);
          }
        }
      }),
    );
  });

  it('starts a new bar exactly at the period boundary', () => {
    const ctx: MockBarContext = { seed: 1, symbol: 'AAPL', resolution: '5' };
    const before = mockLastBar(undefined, 299_999, ctx);
    const after = mockLastBar(before, 300_000, ctx);
    expect(before.time).toBe(0);
    expect(after.time).toBe(300_000);
    expect(after.open).toBe(before.close);
  });

  it('replays the same sequence for the same seed', () => {
    fc.assert(
      fc.property(context, start, steps, (ctx, from, deltas) => {
        const times = clock(from, deltas);
        expect(fold(ctx, times)).toEqual(fold(ctx, times));
      }),
    );
  });

  it('gives different series to different symbols', () => {
    const a = mockLastBar(undefined, 1_700_000_000_000, { seed: 42, symbol: 'AAPL', resolution: '1' });
    const b = mockLastBar(undefined, 1_700_000_000_000, { seed: 42, symbol: 'MSFT', resolution: '1' });
    expect(a.open).not.toBe(b.open);
  });
});

describe('history and live are one series', () => {
  it('chains closed bars: each opens at the close of the one before', () => {
    fc.assert(
      fc.property(context, fc.integer({ min: -3_000_000_000_000, max: 3_000_000_000_000 }), (ctx, time) => {
        const index = periodIndex(ctx.resolution, time);
        expect(historicalBar(ctx, index + 1).open).toBe(historicalBar(ctx, index).close);
        expect(historicalBar(ctx, index).time).toBe(periodStartAt(ctx.resolution, index));
      }),
    );
  });

  it('a live bar seen to its last millisecond equals the historical bar, and the next one opens at its close', () => {
    fc.assert(
      fc.property(context, start, fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 20 }), (ctx, from, deltas) => {
        const index = periodIndex(ctx.resolution, from);
        const last = periodStartAt(ctx.resolution, index + 1) - 1;
        const ticks = clock(from, deltas).filter((time) => time < last);
        const [closed] = fold(ctx, [...ticks, last]).slice(-1) as [Bar];
        expect(closed).toEqual(historicalBar(ctx, index));
        const next = mockLastBar(closed, last + 1, ctx);
        expect(next.open).toBe(historicalBar(ctx, index + 1).open);
        expect(next.time).toBe(historicalBar(ctx, index + 1).time);
      }),
    );
  });

  it('a fresh live stream opens where history left off', () => {
    fc.assert(
      fc.property(context, start, (ctx, now) => {
        const live = mockLastBar(undefined, now, ctx);
        const lastClosed = historicalBar(ctx, periodIndex(ctx.resolution, now) - 1);
        expect(live.open).toBe(lastClosed.close);
        expect(live.time).toBeGreaterThan(lastClosed.time);
      }),
    );
  });
});
