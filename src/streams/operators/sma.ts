import { filter, map, type OperatorFunction, scan } from 'rxjs';
import type { Bar } from '../../domain/bar.js';

/** One value of an indicator, stamped with the time of the bar it was computed at. */
export interface IndicatorPoint {
  readonly time: number;
  readonly value: number;
}

interface SmaState {
  /** Closes of the latest closed bars, oldest first, at most `length - 1` of them. */
  readonly closes: readonly number[];
  readonly current: Bar | undefined;
  /** The point to emit, or undefined while the window fills or when the input is ignored. */
  readonly output: IndicatorPoint | undefined;
}

/**
 * Simple moving average of the closes of the last `length` bars of a live bar stream, the
 * bar in progress counting with its latest close. Emits on every input once `length` bars
 * have been seen; nothing before. A bar older than the current one is ignored.
 *
 * ```
 * source (time:close):  --0:10--0:12--1:14--2:16--|
 * sma(2):               ------------- A ---- B ---|   A = (12+14)/2 = 13, B = (14+16)/2 = 15
 * ```
 */
export function sma(length: number): OperatorFunction<Bar, IndicatorPoint> {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`sma length must be a positive integer, got ${length}`);
  const initial: SmaState = { closes: [], current: undefined, output: undefined };
  return (source) =>
    source.pipe(
      scan((state: SmaState, bar: Bar) => nextSmaState(state, bar, length), initial),
      map((state) => state.output),
      filter((point): point is IndicatorPoint => point !== undefined),
    );
}

function nextSmaState(state: SmaState, bar: Bar, length: number): SmaState {
  const { current } = state;
  if (current !== undefined && bar.time < current.time) return { ...state, output: undefined };
  const closes = current === undefined || bar.time === current.time ? state.closes : window([...state.closes, current.close], length - 1);
  const output =
    closes.length === length - 1
      ? { time: bar.time, value: (closes.reduce((sum, close) => sum + close, 0) + bar.close) / length }
      : undefined;
  return { closes, current: bar, output };
}

/** The last `size` items (none when size is 0). */
function window(items: readonly number[], size: number): readonly number[] {
  return size === 0 ? [] : items.slice(-size);
}
