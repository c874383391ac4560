import { asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, throttleTime } from 'rxjs';

/**
 * Latest value per period, for consumers slower than their source: the first value passes at
 * once, then at most one value per `periodMs`, always the latest (the ones in between are
 * dropped, which is right for bars and quotes: each update carries the whole state).
 * The last value before completion is never lost: it is sent, then the completion, when its
 * period ends.
 *
 * ```
 * source:          -a-b-c-------d-|
 * conflate(4):     -a---c-------d-|      (b is superseded by c within a's period)
 * ```
 */
export function conflate<T>(periodMs: number, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<T> {
  return throttleTime<T>(periodMs, scheduler, { leading: true, trailing: true });
}
