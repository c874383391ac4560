import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admitBar, NOTHING_HELD, resumeSince, type HeldSeries } from '../../src/client/held-series.js';
import type { Bar } from '../../src/domain/bar.js';

const bar = (time: number, close = 1): Bar => ({ time, open: 1, high: 2, low: 0.5, close, volume: 1 });

describe('admitBar', () => {
  it('hands out forming updates and the final one, then nothing more of that bar', () => {
    let held: HeldSeries = NOTHING_HELD;
    const step = (next: Bar, final: boolean): boolean => {
      const admitted = admitBar(held, next, final);
      if (admitted) held = admitted;
      return admitted !== undefined;
    };
    expect(step(bar(60_000, 1), false)).toBe(true);
    expect(step(bar(60_000, 2), true)).toBe(true);
    // A late update of a closed bar (a delayed frame) would make it stale; a replay of it is a duplicate.
    expect(step(bar(60_000, 3), false)).toBe(false);
    expect(step(bar(60_000, 2), true)).toBe(false);
    expect(step(bar(0, 9), true)).toBe(false);
    expect(step(bar(120_000), false)).toBe(true);
    expect(held).toEqual({ first: 60_000, newest: 120_000, lastFinal: 60_000 });
  });

  it('never lets the handed-out times go back, whatever arrives (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean())), (arrivals) => {
        let held: HeldSeries = NOTHING_HELD;
        const out: { time: number; final: boolean }[] = [];
        for (const [index, final] of arrivals) {
          const admitted = admitBar(held, bar(index * 60_000), final);
          if (!admitted) continue;
          held = admitted;
          out.push({ time: index * 60_000, final });
        }
        const times = out.map((entry) => entry.time);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        const finals = out.filter((entry) => entry.final).map((entry) => entry.time);
        expect(new Set(finals).size).toBe(finals.length);
        for (const time of finals) expect(out.filter((entry) => entry.time === time).at(-1)?.final).toBe(true);
      }),
    );
  });
});

describe('resumeSince', () => {
  it('is the last final bar, else the bar before the first one held, on every resolution grid', () => {
    expect(resumeSince(NOTHING_HELD, '1')).toBeUndefined();
    expect(resumeSince({ first: 60_000, newest: 180_000, lastFinal: 120_000 }, '1')).toBe(120_000);
    expect(resumeSince({ first: 300_000, newest: 300_000 }, '5')).toBe(0);
    expect(resumeSince({ first: Date.UTC(2026, 2, 1), newest: Date.UTC(2026, 2, 1) }, '1M')).toBe(Date.UTC(2026, 1, 1));
    // 2026-11-30 is a Monday: the week before starts 2026-11-23.
    expect(resumeSince({ first: Date.UTC(2026, 10, 30), newest: Date.UTC(2026, 10, 30) }, '1W')).toBe(Date.UTC(2026, 10, 23));
  });
});
