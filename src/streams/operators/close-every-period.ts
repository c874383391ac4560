import { defer, mergeMap, type OperatorFunction, of, EMPTY } from 'rxjs';
import { closesBetween, type Resolution } from '../../domain/resolution.js';

/** The most closes one tick inserts after a stall; beyond it the stream skips ahead (a gap a client sees). */
export const MAX_CLOSES_PER_TICK = 1_000;

/**
 * Puts the instants a generator is ticked at in order, with every period's close among them:
 * a tick later than a close that has not gone by yet (the close timer fired late, after the
 * next period's first tick) is preceded by that close, and the close timer's own emission,
 * arriving afterwards, is dropped. So each bar is computed at its last millisecond exactly
 * once, before the next bar starts, however the timers interleave.
 *
 * ```
 * resolution '1', ticks (ms):   --1000--60003--59999--61000--|
 * closeEveryPeriod('1'):        --1000--(59999 60003)--61000--|
 * ```
 */
export function closeEveryPeriod(resolution: Resolution): OperatorFunction<number, number> {
  return (source) =>
    defer(() => {
      let last: number | undefined;
      return source.pipe(
        mergeMap((time) => {
          if (last !== undefined && time <= last) return EMPTY;
          const closes = last === undefined ? [] : closesBetween(resolution, last, time - 1, MAX_CLOSES_PER_TICK);
          last = time;
          return closes.length === 0 ? of(time) : of(...closes, time);
        }),
      );
    });
}
