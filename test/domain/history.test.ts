import { describe, expect, it } from 'vitest';
import { historyBars, historyRange } from '../../src/domain/history.js';

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
