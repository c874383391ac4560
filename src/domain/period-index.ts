import { periodStart, type Resolution } from './resolution.js';

/**
 * Periods of a resolution numbered from the epoch: index 0 is the period that contains
 * 1970-01-01T00:00Z (for weeks, the ISO week containing it). Numbering lets the mock series
 * address any bar directly, without replaying the ones before it.
 */
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** The Monday that starts the ISO week of the epoch: 1969-12-29. */
const FIRST_MONDAY_MS = -3 * DAY_MS;

export function periodIndex(resolution: Resolution, time: number): number {
  const start = periodStart(resolution, time);
  switch (resolution) {
    case '1D':
      return Math.round(start / DAY_MS);
    case '1W':
      return Math.round((start - FIRST_MONDAY_MS) / WEEK_MS);
    case '1M': {
      const date = new Date(start);
      return (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
    }
    default:
      return Math.round(start / (Number(resolution) * MINUTE_MS));
  }
}

/** Start (epoch ms, UTC) of the period numbered `index`; the inverse of `periodIndex`. */
export function periodStartAt(resolution: Resolution, index: number): number {
  switch (resolution) {
    case '1D':
      return index * DAY_MS;
    case '1W':
      return FIRST_MONDAY_MS + index * WEEK_MS;
    case '1M':
      return Date.UTC(1970, index, 1);
    default:
      return index * Number(resolution) * MINUTE_MS;
  }
}
