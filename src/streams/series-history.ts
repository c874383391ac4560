import type { Bar } from '../domain/bar.js';
import { closedBefore, historicalBar } from '../domain/bar-path.js';
import { historyBars, type IndexRange } from '../domain/history.js';
import { periodIndex, type Resolution } from '../domain/resolution.js';

/** The closed bars behind a live topic, from the deterministic series history serves. */
export interface SeriesHistory {
  /** What the bar of `resolution` containing `time` held when the minute of `time` began. */
  closedBefore(symbol: string, resolution: Resolution, time: number): Bar | undefined;
  /** The closed bar of the period of `resolution` before the one containing `time`. */
  barBefore(symbol: string, resolution: Resolution, time: number): Bar;
  /** The closed bars of the periods of `resolution` numbered [first, end), oldest first. */
  bars(symbol: string, resolution: Resolution, range: IndexRange): Bar[];
}

/** The history of the mock series of `seed`: what `GET /api/v1/bars` serves. */
export function seriesHistory(seed: number): SeriesHistory {
  return {
    closedBefore: (symbol, resolution, time) => closedBefore({ seed, symbol, resolution }, time),
    barBefore: (symbol, resolution, time) => historicalBar({ seed, symbol, resolution }, periodIndex(resolution, time) - 1),
    bars: (symbol, resolution, range) => historyBars({ seed, symbol, resolution }, range),
  };
}
