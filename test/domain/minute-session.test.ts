import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { closeBefore, quoteFromMinutes, sessionBefore } from '../../src/domain/minute-session.js';
import { quoteFromSessionBar } from '../../src/domain/quote.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const TODAY = 20_000 * DAY;
const minute = (time: number, close: number, volume = 1): Bar => ({ time, open: close, high: close + 1, low: close - 1, close, volume });

describe('sessionBefore', () => {
  it('merges the minutes of the day of `time` that began before it, stamped with the day', () => {
    const finals = [minute(TODAY - MINUTE, 1), minute(TODAY, 2, 3), minute(TODAY + 5 * MINUTE, 4, 5), minute(TODAY + 9 * MINUTE, 6)];
    expect(sessionBefore(finals, TODAY + 9 * MINUTE)).toEqual({ time: TODAY, open: 2, high: 5, low: 1, close: 4, volume: 8 });
    expect(sessionBefore(finals, TODAY)).toBeUndefined();
    expect(sessionBefore([], TODAY + MINUTE)).toBeUndefined();
  });
});

describe('closeBefore', () => {
  it('is the close of the last minute that began before `time`, however far back', () => {
    const finals = [minute(TODAY - 3 * DAY, 7), minute(TODAY + MINUTE, 8)];
    expect(closeBefore(finals, TODAY)).toBe(7);
    expect(closeBefore(finals, TODAY + 2 * MINUTE)).toBe(8);
    expect(closeBefore(finals, TODAY - 3 * DAY)).toBeUndefined();
  });
});

describe('quoteFromMinutes', () => {
  it('is undefined before the first trade', () => {
    expect(quoteFromMinutes('ACME', [], undefined)).toBeUndefined();
  });

  it('quotes the day of the latest minute against the close of the last minute before that day', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 3 * 1440 - 1 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 60, maxLength: 60 }),
        fc.boolean(),
        (indexes, prices, formingLast) => {
          const minutes = [...indexes].sort((a, b) => a - b).map((index, at) => minute(TODAY + index * MINUTE, (prices[at] ?? 1) / 100, at + 1));
          const finals = formingLast ? minutes.slice(0, -1) : minutes;
          const latest = minutes.at(-1) as Bar;
          const dayStart = Math.floor(latest.time / DAY) * DAY;
          const day = minutes.filter((bar) => bar.time >= dayStart);
          const before = minutes.filter((bar) => bar.time < dayStart).at(-1);
          const session = {
            time: dayStart,
            open: (day[0] as Bar).open,
            high: Math.max(...day.map((bar) => bar.high)),
            low: Math.min(...day.map((bar) => bar.low)),
            close: latest.close,
            volume: day.reduce((sum, bar) => sum + bar.volume, 0),
          };
          expect(quoteFromMinutes('ACME', finals, formingLast ? latest : undefined)).toEqual(quoteFromSessionBar('ACME', session, before?.close ?? session.open));
        },
      ),
    );
  });
});
