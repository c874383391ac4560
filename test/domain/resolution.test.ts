import { describe, expect, it } from 'vitest';
import { closesBetween, nextPeriodStart, parseResolution, periodStart, RESOLUTIONS } from '../../src/domain/resolution.js';

const at = (iso: string): number => Date.parse(iso);

describe('resolutions', () => {
  it('normalises the spellings chart libraries use', () => {
    expect(parseResolution('1')).toBe('1');
    expect(parseResolution('240')).toBe('240');
    expect(parseResolution('D')).toBe('1D');
    expect(parseResolution('1d')).toBe('1D');
    expect(parseResolution('W')).toBe('1W');
    expect(parseResolution('1W')).toBe('1W');
    expect(parseResolution('M')).toBe('1M');
    expect(parseResolution(' 5 ')).toBe('5');
  });

  it('rejects unknown spellings', () => {
    for (const spelling of ['2', '0', '', '1H', 'DD', '1440', '-1', '1.5', 'Y']) {
      expect(parseResolution(spelling), spelling).toBeUndefined();
    }
  });

  it('places minute bars on their UTC grid', () => {
    expect(periodStart('1', at('2024-03-05T10:07:59.999Z'))).toBe(at('2024-03-05T10:07:00Z'));
    expect(periodStart('5', at('2024-03-05T10:07:00Z'))).toBe(at('2024-03-05T10:05:00Z'));
    expect(periodStart('240', at('2024-03-05T10:07:00Z'))).toBe(at('2024-03-05T08:00:00Z'));
    expect(nextPeriodStart('15', at('2024-03-05T10:07:00Z'))).toBe(at('2024-03-05T10:15:00Z'));
  });

  it('starts days at UTC midnight, weeks on Monday and months on the 1st', () => {
    expect(periodStart('1D', at('2024-03-05T23:59:59Z'))).toBe(at('2024-03-05T00:00:00Z'));
    expect(periodStart('1W', at('2024-03-10T23:00:00Z'))).toBe(at('2024-03-04T00:00:00Z')); // Sunday -> Monday before
    expect(periodStart('1W', at('2024-03-11T00:00:00Z'))).toBe(at('2024-03-11T00:00:00Z')); // Monday itself
    expect(periodStart('1W', at('1970-01-01T00:00:00Z'))).toBe(at('1969-12-29T00:00:00Z'));
    expect(periodStart('1M', at('2024-02-29T12:00:00Z'))).toBe(at('2024-02-01T00:00:00Z'));
    expect(nextPeriodStart('1M', at('2024-12-15T00:00:00Z'))).toBe(at('2025-01-01T00:00:00Z'));
    expect(nextPeriodStart('1W', at('2024-03-06T00:00:00Z'))).toBe(at('2024-03-11T00:00:00Z'));
    expect(nextPeriodStart('1D', at('2024-03-06T05:00:00Z'))).toBe(at('2024-03-07T00:00:00Z'));
  });

  it('every period contains its start and ends where the next begins', () => {
    const time = at('2024-07-19T13:47:12.345Z');
    for (const resolution of RESOLUTIONS) {
      const start = periodStart(resolution, time);
      const next = nextPeriodStart(resolution, time);
      expect(start).toBeLessThanOrEqual(time);
      expect(next).toBeGreaterThan(time);
      expect(periodStart(resolution, next)).toBe(next);
      expect(periodStart(resolution, next - 1)).toBe(start);
    }
  });
});

describe('closesBetween', () => {
  const MINUTE = 60_000;
  it('names the last millisecond of the period that ended since the previous tick', () => {
    expect(closesBetween('1', 58_000, 60_000).at(-1)).toBe(59_999);
    expect(closesBetween('5', 4 * MINUTE, 5 * MINUTE + 2_000).at(-1)).toBe(5 * MINUTE - 1);
  });

  it('names none while the previous tick is in the same period, or was the close itself', () => {
    expect(closesBetween('1', 60_000, 62_000)).toEqual([]);
    expect(closesBetween('5', 58_000, 60_000)).toEqual([]);
    expect(closesBetween('1', 59_999, 60_000)).toEqual([]);
  });

  it('names every close, oldest first, when ticks skipped whole periods, and at most max of them', () => {
    expect(closesBetween('1', 10_000, 3 * MINUTE + 1_000)).toEqual([MINUTE - 1, 2 * MINUTE - 1, 3 * MINUTE - 1]);
    expect(closesBetween('1', 10_000, 3 * MINUTE + 1_000, 2)).toEqual([2 * MINUTE - 1, 3 * MINUTE - 1]);
    expect(closesBetween('1M', Date.UTC(2024, 0, 15), Date.UTC(2024, 2, 2))).toEqual([Date.UTC(2024, 1, 1) - 1, Date.UTC(2024, 2, 1) - 1]);
  });
});
