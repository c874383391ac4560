import convict from 'convict';
import { range } from './formats.js';

/** A UTC calendar date, `YYYY-MM-DD`, from 1900 on. */
convict.addFormat({
  name: 'utc-date',
  validate(value: unknown) {
    const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
    const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
    if (!match || Number(match[1]) < 1900 || new Date(time).toISOString().slice(0, 10) !== value) {
      throw new Error('must be a date YYYY-MM-DD (UTC) from 1900 on, e.g. 2020-01-01');
    }
  },
});

/** History and UDF requests: their size, their cost, the cache, the listing date, the rate limit. */
export const historySchema = {
  maxBars: {
    doc: 'Most bars one history request (REST or UDF) may return (1-100000); larger ranges get a 400.',
    format: range('int', 1, 100_000),
    default: 5000,
    env: 'HISTORY_MAX_BARS',
  },
  maxCost: {
    doc:
      'Most one history request may cost to compute, in day bars (a minute-to-daily bar costs 1, a weekly 7, a monthly its days; ' +
      '1-10000000); a costlier range gets a 400. The default is about 0.1 s of CPU, served in slices.',
    format: range('int', 1, 10_000_000),
    default: 50_000,
    env: 'HISTORY_MAX_COST',
  },
  cacheBars: {
    doc: 'Closed history bars kept in memory (an LRU of 64-bar chunks, about 100 bytes a bar; 0-10000000, 0 turns it off).',
    format: range('int', 0, 10_000_000),
    default: 100_000,
    env: 'HISTORY_CACHE_BARS',
  },
  listingDate: {
    doc: "The day every symbol's series starts (UTC, YYYY-MM-DD): its first bar is the first period starting on or after it; before it history is empty.",
    format: 'utc-date',
    default: '2020-01-01',
    env: 'HISTORY_LISTING_DATE',
  },
  rateLimit: {
    doc: 'History and UDF requests one client (IP address) may make per window (1-100000); past it, 429 with Retry-After.',
    format: range('int', 1, 100_000),
    default: 120,
    env: 'HISTORY_RATE_LIMIT',
  },
  rateWindowMs: {
    doc: 'Milliseconds of the history and UDF rate-limit window (100-3600000).',
    format: range('int', 100, 3_600_000),
    default: 10_000,
    env: 'HISTORY_RATE_WINDOW_MS',
  },
};

export interface HistoryConfig {
  readonly maxBars: number;
  readonly maxCost: number;
  readonly cacheBars: number;
  readonly listingDate: string;
  readonly rateLimit: number;
  readonly rateWindowMs: number;
}
