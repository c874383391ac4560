/**
 * Bar resolutions, spelled the way chart libraries (TradingView and friends) spell them:
 * minutes as plain numbers, and `1D`/`1W`/`1M` for calendar periods. `D`, `W` and `M` are
 * accepted aliases; the normalised spelling is what appears in topic keys.
 */
export const MINUTE_RESOLUTIONS = ['1', '5', '15', '30', '60', '240'] as const;
export const CALENDAR_RESOLUTIONS = ['1D', '1W', '1M'] as const;
export const RESOLUTIONS = [...MINUTE_RESOLUTIONS, ...CALENDAR_RESOLUTIONS] as const;

export type Resolution = (typeof RESOLUTIONS)[number];

const ALIASES: Readonly<Record<string, Resolution>> = { D: '1D', W: '1W', M: '1M' };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday; weeks start on Monday (ISO 8601), three days later. */
const EPOCH_DAYS_AFTER_MONDAY = 3;
/** The Monday that starts the ISO week of the epoch: 1969-12-29. */
const FIRST_MONDAY_MS = -EPOCH_DAYS_AFTER_MONDAY * DAY_MS;

/** The accepted spellings, as error messages state them (written once): `1, 5, ..., D/1D, W/1W, M/1M`. */
export const RESOLUTION_RULE = `one of ${[
  ...MINUTE_RESOLUTIONS,
  ...CALENDAR_RESOLUTIONS.map((resolution) => `${resolution.slice(1)}/${resolution}`),
].join(', ')}`;

export function isResolution(value: string): value is Resolution {
  return (RESOLUTIONS as readonly string[]).includes(value);
}

/** Normalises a spelling (`D` -> `1D`); returns undefined for anything we do not know. */
export function parseResolution(spelling: string): Resolution | undefined {
  const upper = spelling.trim().toUpperCase();
  const normalised = ALIASES[upper] ?? upper;
  return isResolution(normalised) ? normalised : undefined;
}

/** Start (epoch ms, UTC) of the period of `resolution` that contains `time`. */
export function periodStart(resolution: Resolution, time: number): number {
  switch (resolution) {
    case '1D':
      return floorTo(time, DAY_MS);
    case '1W': {
      const days = Math.floor(time / DAY_MS);
      const sinceMonday = mod(days + EPOCH_DAYS_AFTER_MONDAY, 7);
      return (days - sinceMonday) * DAY_MS;
    }
    case '1M': {
      const date = new Date(time);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
    default:
      return floorTo(time, Number(resolution) * MINUTE_MS);
  }
}

/** Start of the period that follows the one containing `time`. */
export function nextPeriodStart(resolution: Resolution, time: number): number {
  return periodStartAt(resolution, periodIndex(resolution, time) + 1);
}

/*
 * Periods of a resolution numbered from the epoch: index 0 is the period that contains
 * 1970-01-01T00:00Z (for weeks, the ISO week containing it). Numbering lets the mock series
 * address any bar directly, without replaying the ones before it.
 */

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

function floorTo(value: number, step: number): number {
  return Math.floor(value / step) * step;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/**
 * The last milliseconds of the periods of `resolution` that ended after `after` and by `now`,
 * oldest first, at most `max` of them (the latest): the instants a live bar must be seen at to
 * close on its historical close. Empty when no period ended in between.
 */
export function closesBetween(resolution: Resolution, after: number, now: number, max = Number.POSITIVE_INFINITY): number[] {
  const closes: number[] = [];
  for (let close = periodStart(resolution, now) - 1; close > after && closes.length < max; close = periodStart(resolution, close) - 1) {
    closes.push(close);
  }
  return closes.reverse();
}
