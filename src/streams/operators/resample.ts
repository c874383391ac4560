import { filter, map, type OperatorFunction, scan } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { periodStart, type Resolution } from '../../domain/resolution.js';

interface ResampleState {
  /** The coarse bar of the sub-bars closed so far in the current coarse period. */
  readonly closed: Bar | undefined;
  /** The latest state of the sub-bar still in progress. */
  readonly current: Bar | undefined;
  /** The coarse bar to emit, or undefined when the input is ignored. */
  readonly output: Bar | undefined;
}

const EMPTY: ResampleState = { closed: undefined, current: undefined, output: undefined };

/**
 * Aggregates a live stream of finer bars (each sub-bar repeated as it updates, then the next
 * one) into the in-progress bar of the coarser `resolution`: open of its first sub-bar, max
 * high, min low, close of the latest, volume of the closed sub-bars plus the current one.
 * Emits on every input; a sub-bar from before the current one (time going back) is ignored.
 * `resolution` must be coarser than the input's, with periods that nest (any resolution over
 * 1-minute bars does). `closedBefore`, if given, supplies from history what the coarse bar
 * already held before the first sub-bar, for a stream that starts mid-period.
 *
 * ```
 * 1-min source:  --a--a'--b--c--|        a, a' at 10:00 (a' updates a), b 10:01, c 10:05
 * resample('5'): --A--A'--B--C--|        A = a, A' = a', B = a' + b, C = c (new 5-min bar)
 * ```
 */
export function resample(resolution: Resolution, closedBefore?: (subBar: Bar) => Bar | undefined): OperatorFunction<Bar, Bar> {
  return (source) =>
    source.pipe(
      resampleAlong((bar: Bar) => bar, resolution, closedBefore),
      map(([bar]) => bar),
    );
}

/**
 * `resample` over values that carry a sub-bar (an update and its time stamp, say): emits each
 * coarse bar with the value whose sub-bar made it.
 */
export function resampleAlong<T>(
  subBarOf: (value: T) => Bar,
  resolution: Resolution,
  closedBefore?: (subBar: Bar) => Bar | undefined,
): OperatorFunction<T, readonly [Bar, T]> {
  return (source) =>
    source.pipe(
      scan(
        (state: ResampleState & { readonly from?: T }, value: T) => {
          const bar = subBarOf(value);
          const next = state === EMPTY ? firstState(bar, resolution, closedBefore) : nextState(state, bar, resolution);
          return { ...next, from: value };
        },
        EMPTY,
      ),
      filter((state): state is ResampleState & { readonly output: Bar; readonly from: T } => state.output !== undefined),
      map((state) => [state.output, state.from] as const),
    );
}

function nextState(state: ResampleState, bar: Bar, resolution: Resolution): ResampleState {
  const { current } = state;
  if (current === undefined || periodStart(resolution, bar.time) > periodStart(resolution, current.time)) {
    return { closed: undefined, current: bar, output: coarse(undefined, bar, resolution) };
  }
  if (bar.time < current.time) return { ...state, output: undefined };
  const closed = bar.time === current.time ? state.closed : coarse(state.closed, current, resolution);
  return { closed, current: bar, output: coarse(closed, bar, resolution) };
}

/**
 * The state before the first sub-bar: when the stream starts mid-period, `closedBefore`
 * (history) supplies the coarse bar of the sub-bars that closed before it, so the first
 * coarse bar is whole rather than starting at the subscription.
 */
function firstState(first: Bar, resolution: Resolution, closedBefore: ((subBar: Bar) => Bar | undefined) | undefined): ResampleState {
  const closed = closedBefore?.(first);
  if (!closed) return nextState(EMPTY, first, resolution);
  return { closed, current: first, output: coarse(closed, first, resolution) };
}

/** `closed` extended by `bar`, stamped with the coarse period's start. */
function coarse(closed: Bar | undefined, bar: Bar, resolution: Resolution): Bar {
  if (!closed) return { ...bar, time: periodStart(resolution, bar.time) };
  return {
    time: closed.time,
    open: closed.open,
    high: Math.max(closed.high, bar.high),
    low: Math.min(closed.low, bar.low),
    close: bar.close,
    volume: closed.volume + bar.volume,
  };
}
