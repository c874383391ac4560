import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConsistentBar, type Bar } from '../../src/domain/bar.js';
import { initialPrice, mockLastBar } from '../../src/domain/mock-bar.js';
import { periodStart, RESOLUTIONS, type Resolution } from '../../src/domain/resolution.js';
import { gaussian, hashKey, keyedRandom } from '../../src/domain/rng.js';
import type { MockBarContext } from '../../src/domain/series-key.js';

const START = Date.parse('2024-01-01T00:00:00Z');
const resolution = fc.constantFrom<Resolution>(...RESOLUTIONS);
const context = fc.record({
  seed: fc.integer(),
  symbol: fc.constantFrom('AAPL', 'MSFT', 'BRK.B', 'X'),
  resolution,
});
/** Clock steps: mostly forward (up to two days), sometimes backwards. */
const steps = fc.array(fc.integer({ min: -60_000, max: 2 * 86_400_000 }), { minLength: 1, maxLength: 300 });

function run(ctx: MockBarContext, clockSteps: readonly number[]): { now: number; bar: Bar }[] {
  let now = START;
  let bar: Bar | undefined;
  return clockSteps.map((step) => {
    now += step;
    bar = mockLastBar(bar, now, ctx);
    return { now, bar };
  });
}

const isCent = (price: number): boolean => Math.abs(price * 100 - Math.round(price * 100)) < 1e-6;

describe('mockLastBar', () => {
  it('keeps low <= min(open, close) <= max(open, close) <= high, cent prices, over long runs', () => {
    fc.assert(
      fc.property(context, steps, (ctx, clockSteps) => {
        for (const { bar } of run(ctx, clockSteps)) {
          expect(isConsistentBar(bar)).toBe(true);
          for (const price of [bar.open, bar.high, bar.low, bar.close]) {
            expect(isCent(price)).toBe(true);
            expect(price).toBeGreaterThan(0);
          }
        }
      }),
    );
  });

  it('never moves time backwards, and never lowers volume inside a bar', () => {
    fc.assert(
      fc.property(context, steps, (ctx, clockSteps) => {
        const bars = run(ctx, clockSteps).map(({ bar }) => bar);
        bars.slice(1).forEach((bar, index) => {
          const previous = bars[index]!;
          expect(bar.time).toBeGreaterThanOrEqual(previous.time);
          if (bar.time === previous.time) {
            expect(bar.volume).toBeGreaterThanOrEqual(previous.volume);
            expect(bar.open).toBe(previous.open);
            expect(bar.high).toBeGreaterThanOrEqual(previous.high);
            expect(bar.low).toBeLessThanOrEqual(previous.low);
          }
        });
      }),
    );
  });

  it('updates the current bar inside its period and starts a new one exactly at the boundary, opening at the last close', () => {
    fc.assert(
      fc.property(context, steps, (ctx, clockSteps) => {
        let previous: Bar | undefined;
        for (const { now, bar } of run(ctx, clockSteps)) {
          const period = periodStart(ctx.resolution, now);
          if (previous && period <= previous.time) {
            expect(bar.time).toBe(previous.time);
          } else {
            expect(bar.time).toBe(period);
            if (previous) expect(bar.open).toBe(previous.close);
          }
          previous = bar;
        }
      }),
    );
  });

  it('rolls over at the first millisecond of the next period, not before', () => {
    const ctx: MockBarContext = { seed: 7, symbol: 'AAPL', resolution: '5' };
    const boundary = Date.parse('2024-01-01T00:05:00Z');
    const last = mockLastBar(mockLastBar(undefined, boundary - 60_000, ctx), boundary - 1, ctx);
    expect(last.time).toBe(boundary - 300_000);
    const next = mockLastBar(last, boundary, ctx);
    expect(next.time).toBe(boundary);
    expect(next.open).toBe(last.close);
    expect(next.volume).toBeLessThanOrEqual(1_000);
  });

  it('is deterministic for a seed, and differs between seeds', () => {
    fc.assert(
      fc.property(context, steps, (ctx, clockSteps) => {
        expect(run(ctx, clockSteps)).toEqual(run(ctx, clockSteps));
      }),
      { numRuns: 50 },
    );
    const clock = Array.from({ length: 50 }, () => 2_000);
    const a = run({ seed: 1, symbol: 'AAPL', resolution: '1' }, clock).map(({ bar }) => bar.close);
    const b = run({ seed: 2, symbol: 'AAPL', resolution: '1' }, clock).map(({ bar }) => bar.close);
    expect(a).not.toEqual(b);
  });

  it('starts each symbol at a stable price', () => {
    expect(initialPrice({ seed: 42, symbol: 'AAPL' })).toBe(initialPrice({ seed: 42, symbol: 'AAPL' }));
    expect(initialPrice({ seed: 42, symbol: 'AAPL' })).toBeGreaterThanOrEqual(20);
    expect(initialPrice({ seed: 42, symbol: 'AAPL' })).toBeLessThan(520);
  });
});

describe('keyed randomness', () => {
  it('replays the same sequence for the same key', () => {
    const a = keyedRandom(1, 'AAPL', 5);
    const b = keyedRandom(1, 'AAPL', 5);
    const draws = Array.from({ length: 5 }, () => [a(), b()]);
    for (const [x, y] of draws) expect(x).toBe(y);
    expect(hashKey('a', 'b')).not.toBe(hashKey('ab'));
  });

  it('draws uniform values in [0, 1) and roughly standard normals', () => {
    const random = keyedRandom('spread');
    const uniforms = Array.from({ length: 10_000 }, random);
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    const normals = Array.from({ length: 10_000 }, () => gaussian(random));
    const mean = normals.reduce((sum, value) => sum + value, 0) / normals.length;
    const variance = normals.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
  });
});
