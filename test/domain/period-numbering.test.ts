import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextPeriodStart, periodIndex, periodStart, periodStartAt, RESOLUTIONS } from '../../src/domain/resolution.js';

const resolution = fc.constantFrom(...RESOLUTIONS);
const time = fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 });

describe('periodIndex', () => {
  it('numbers the period of the epoch 0', () => {
    for (const each of RESOLUTIONS) expect(periodIndex(each, 0)).toBe(0);
  });

  it('round-trips through periodStartAt to the start of the period', () => {
    fc.assert(
      fc.property(resolution, time, (res, at) => {
        expect(periodStartAt(res, periodIndex(res, at))).toBe(periodStart(res, at));
      }),
    );
  });

  it('gives consecutive periods consecutive numbers', () => {
    fc.assert(
      fc.property(resolution, time, (res, at) => {
        expect(periodIndex(res, nextPeriodStart(res, at))).toBe(periodIndex(res, at) + 1);
      }),
    );
  });
});
