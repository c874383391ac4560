import type { Bar } from './bar.js';
import { barAt, historicalBars } from './bar-path.js';
import { DAY_MS } from './day-bar.js';
import { CALENDAR_RESOLUTIONS, periodIndex, periodStartAt, type Resolution } from './resolution.js';
import type { MockBarContext } from './series-key.js';

/** A history query in epoch ms: bars starting in [from, to), or the last `countback` before `to`. */
export interface HistoryQuery {
  readonly from?: number;
  readonly to: number;
  readonly countback?: number;
  /** The clock: only bars whose period has ended by `now` are history. */
  readonly now: number;
  /** The series' listing instant: no bar starts before it (its first bar is the first period starting at or after it). */
  readonly listedAt?: number;
  /** Include the bar still forming at `now`, as it stands then (UDF does; the REST API does not). */
  readonly forming?: boolean;
}

/** Period indices [first, end) a query covers; `end - first` is the number of bars. */
export interface IndexRange {
  readonly first: number;
  readonly end: number;
}

/**
 * Which bars a query asks for. `countback`, when given, wins over `from` (as in TradingView's
 * UDF). The bar still forming at `now` is history only when asked for (`forming`); nothing
 * starts before the listing, so a range wholly before it is empty, and one partly before it
 * is cut at the first bar.
 */
export function historyRange(resolution: Resolution, query: HistoryQuery): IndexRange {
  const current = periodIndex(resolution, query.now);
  const end = Math.min(query.forming ? current + 1 : current, firstIndexFrom(resolution, query.to));
  const asked = query.countback === undefined ? firstIndexFrom(resolution, query.from ?? query.to) : end - query.countback;
  const first = query.listedAt === undefined ? asked : Math.max(asked, firstBarIndex(resolution, query.listedAt));
  return { first, end: Math.max(first, end) };
}

/** Index of the series' first bar: the first period that starts at or after the listing. */
export function firstBarIndex(resolution: Resolution, listedAt: number): number {
  return firstIndexFrom(resolution, listedAt);
}

/** Index of the first period that starts at or after `time`. */
function firstIndexFrom(resolution: Resolution, time: number): number {
  const index = periodIndex(resolution, time);
  return periodStartAt(resolution, index) === time ? index : index + 1;
}

/**
 * What computing a range costs, in day bars: a bar of a minute resolution or of 1D costs 1
 * (a descent of the bar tree, or one day), a week 7 and a month its days (each is the
 * aggregate of its days). A request is bounded by this, not only by its bar count.
 */
export function historyCost(resolution: Resolution, range: IndexRange): number {
  if (range.end <= range.first) return 0;
  if (resolution === '1D' || !(CALENDAR_RESOLUTIONS as readonly string[]).includes(resolution)) return range.end - range.first;
  return Math.round((periodStartAt(resolution, range.end) - periodStartAt(resolution, range.first)) / DAY_MS);
}

/** The bars of a range, oldest first: closed ones, and the one forming at `now` if the range reaches it. */
export function historyBars(context: MockBarContext, range: IndexRange, now?: number): Bar[] {
  const current = now === undefined ? range.end : periodIndex(context.resolution, now);
  const bars = historicalBars(context, range.first, Math.min(range.end, current));
  if (now !== undefined && range.first <= current && current < range.end) bars.push(barAt(context, now));
  return bars;
}
