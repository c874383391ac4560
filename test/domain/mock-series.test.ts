import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { historicalBar } from '../../src/domain/bar-path.js';
import { mockLastBar } from '../../src/domain/mock-bar.js';
import { periodIndex, periodStartAt, RESOLUTIONS } from '../../src/domain/resolution.js';
import type { MockBarContext } from '../../src/domain/series-key.js';

const context = fc.record({
  seed: fc.integer(),
  symbol: fc.constantFrom('AAPL', 'MSFT', 'BTC-USD', 'X'),
  resolution: fc.constantFrom(...RESOLUTIONS),
});
const start = fc.integer({ min: 0, max: 3_000_000_000_000 });

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
