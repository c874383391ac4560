import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextPeriodStart, parseResolution, periodStart, RESOLUTIONS } from '../../src/domain/resolution.js';

const time = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });
const resolution = fc.constantFrom(...RESOLUTIONS);

describe('resolutions', () => {
  it('normalises spellings and refuses unknown ones', () => {
    expect(parseResolution(' d ')).toBe('1D');
    expect(parseResolution('1w')).toBe('1W');
    expect(parseResolution('M')).toBe('1M');
    expect(parseResolution('15')).toBe('15');
    expect(parseResolution('7')).toBeUndefined();
  });

  it('puts every time in the period that starts at periodStart and ends at nextPeriodStart', () => {
    fc.assert(
      fc.property(resolution, time, (res, at) => {
        const start = periodStart(res, at);
        const next = nextPeriodStart(res, at);
        expect(start).toBeLessThanOrEqual(at);
        expect(at).toBeLessThan(next);
        expect(periodStart(res, next)).toBe(next);
        expect(periodStart(res, next - 1)).toBe(start);
      }),
    );
  });

  it('starts weeks on Monday and months on the first, in UTC', () => {
    const wednesday = Date.UTC(2026, 10, 25, 13, 30);
    expect(periodStart('1W', wednesday)).toBe(Date.UTC(2026, 10, 23));
    expect(periodStart('1M', wednesday)).toBe(Date.UTC(2026, 10, 1));
    expect(nextPeriodStart('1M', Date.UTC(2026, 11, 31))).toBe(Date.UTC(2027, 0, 1));
    expect(periodStart('1D', wednesday)).toBe(Date.UTC(2026, 10, 25));
    expect(periodStart('240', wednesday)).toBe(Date.UTC(2026, 10, 25, 12));
  });
});
