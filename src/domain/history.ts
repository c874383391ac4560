import type { Bar } from './bar.js';
import { historicalBar } from './bar-path.js';
import type { MockBarContext } from './mock-bar.js';
import { periodIndex, periodStartAt, type Resolution } from './resolution.js';

/** A history query in epoch ms: bars starting in [from, to), or the last `countback` before `to`. */
export interface HistoryQuery {
  readonly from?: number;
  readonly to: number;
  readonly countback?: number;
  /** The clock: only bars whose period has ended by `now` are history. */
  readonly now: number;
}

/** Period indices [first, end) a query covers; `end - first` is the number of bars. */
export interface IndexRange {
  readonly first: number;
  readonly end: number;
}

/**
 * Which closed bars a query asks for. `countback`, when given, wins over `from` (as in
 * TradingView's UDF). The bar still forming at `now` is never history: the live stream owns it.
 */
export function historyRange(resolution: Resolution, query: HistoryQuery): IndexRange {
  const end = Math.min(periodIndex(resolution, query.now), firstIndexFrom(resolution, query.to));
  const first = query.countback === undefined ? firstIndexFrom(resolution, query.from ?? query.to) : end - query.countback;
  return { first, end: Math.max(first, end) };
}

/** Index of the first period that starts at or after `time`. */
function firstIndexFrom(resolution: Resolution, time: number): number {
  const index = periodIndex(resolution, time);
  return periodStartAt(resolution, index) === time ? index : index + 1;
}

/** The closed bars of a range, oldest first. */
export function historyBars(context: MockBarContext, range: IndexRange): Bar[] {
  const bars: Bar[] = [];
  for (let index = range.first; index < range.end; index += 1) bars.push(historicalBar(context, index));
  return bars;
}
