import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barAt, historicalBar, historicalBars } from '../../src/domain/bar-path.js';
import { dayBar, DayWalk } from '../../src/domain/day-bar.js';
import { firstBarIndex, historyBars, historyCost, historyRange } from '../../src/domain/history.js';
import { periodStartAt, RESOLUTIONS } from '../../src/domain/resolution.js';

const MINUTE = 60_000;
const context = { seed: 42, symbol: 'AAPL', resolution: '1' as const };

describe('historyRange', () => {
  it('covers bars starting in [from, to), rounding from up to the next period start', () => {
    expect(historyRange('1', { from: 10 * MINUTE + 1, to: 20 * MINUTE, now: 100 * MINUTE })).toEqual({ first: 11, end: 20 });
    expect(historyRange('1', { from: 10 * MINUTE, to: 20 * MINUTE + 5, now: 100 * MINUTE })).toEqual({ first: 10, end: 21 });
  });

  it('never includes the bar still forming at now', () => {
    expect(historyRange('1', { from: 0, to: 200 * MINUTE, now: 50 * MINUTE + 30_000 })).toEqual({ first: 0, end: 50 });
  });

  it('lets countback win over from', () => {
    expect(historyRange('1', { from: 0, to: 20 * MINUTE, countback: 5, now: 100 * MINUTE })).toEqual({ first: 15, end: 20 });
  });

  it('is empty when the range lies in the future or is reversed', () => {
    const future = historyRange('1', { from: 200 * MINUTE, to: 300 * MINUTE, now: 100 * MINUTE });
    expect(future.end - future.first).toBe(0);
    const reversed = historyRange('1', { from: 20 * MINUTE, to: 10 * MINUTE, now: 100 * MINUTE });
    expect(reversed.end - reversed.first).toBe(0);
  });
});

describe('historyBars', () => {
  it('returns the bars of a range in time order, one per period', () => {
    const bars = historyBars(context, { first: 3, end: 7 });
    expect(bars.map((bar) => bar.time)).toEqual([3, 4, 5, 6].map((index) => index * MINUTE));
    for (let index = 1; index < bars.length; index += 1) expect(bars[index]?.open).toBe(bars[index - 1]?.close);
  });
});

describe('walks over consecutive bars', () => {
  it('give every bar exactly as a lone computation does, at every resolution', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RESOLUTIONS),
        fc.integer({ min: -2_000, max: 30_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (resolution, first, count, seed) => {
          const ctx = { seed, symbol: 'AAPL', resolution };
          const walked = historicalBars(ctx, first, first + count);
          expect(walked).toEqual(Array.from({ length: count }, (_, offset) => historicalBar(ctx, first + offset)));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('share day anchors: a day walk gives each day as dayBar does', () => {
    const walk = new DayWalk({ seed: 7, symbol: 'MSFT' });
    for (let day = 19_000; day < 19_100; day += 1) expect(walk.bar(day)).toEqual(dayBar({ seed: 7, symbol: 'MSFT' }, day));
  });
});

describe('the listing date', () => {
  const listedAt = Date.UTC(2020, 0, 1); // a Wednesday
  const now = Date.UTC(2026, 5, 10);

  it('starts each resolution at its first period starting on or after the listing', () => {
    expect(periodStartAt('1D', firstBarIndex('1D', listedAt))).toBe(listedAt);
    expect(periodStartAt('1W', firstBarIndex('1W', listedAt))).toBe(Date.UTC(2020, 0, 6)); // the next Monday
    expect(periodStartAt('1M', firstBarIndex('1M', listedAt))).toBe(listedAt);
    expect(periodStartAt('60', firstBarIndex('60', listedAt + 1))).toBe(listedAt + 3_600_000);
  });

  it('makes a range wholly before it empty, and cuts one partly before it at the first bar', () => {
    const before = historyRange('1D', { from: -86_400_000 * 365, to: listedAt - 1, now, listedAt });
    expect(before.end - before.first).toBe(0);
    const across = historyRange('1D', { from: -86_400_000 * 365, to: listedAt + 3 * 86_400_000, now, listedAt });
    expect(across).toEqual({ first: firstBarIndex('1D', listedAt), end: firstBarIndex('1D', listedAt) + 3 });
    const countback = historyRange('1D', { to: listedAt + 2 * 86_400_000, countback: 10, now, listedAt });
    expect(countback.end - countback.first).toBe(2);
  });
});

describe('the forming bar', () => {
  const now = 50 * MINUTE + 30_000;

  it('is in a range only when asked for, as it stands at now', () => {
    expect(historyRange('1', { from: 0, to: 200 * MINUTE, now, forming: true })).toEqual({ first: 0, end: 51 });
    const bars = historyBars(context, { first: 48, end: 51 }, now);
    expect(bars.map((bar) => bar.time)).toEqual([48, 49, 50].map((index) => index * MINUTE));
    expect(bars[2]).toEqual(barAt(context, now));
    expect(bars[2]?.open).toBe(bars[1]?.close);
  });
});

describe('historyCost', () => {
  it('counts day bars: 1 per bar up to 1D, 7 per week, a month its days', () => {
    expect(historyCost('1', { first: 10, end: 5_010 })).toBe(5_000);
    expect(historyCost('1D', { first: 0, end: 30 })).toBe(30);
    expect(historyCost('1W', { first: 100, end: 110 })).toBe(70);
    expect(historyCost('1M', { first: 0, end: 12 })).toBe(365); // 1970
    expect(historyCost('1M', { first: 5, end: 5 })).toBe(0);
  });
});
