import { defer, map, merge, mergeMap, type Observable, type SchedulerLike, timer } from 'rxjs';

export type ExpiryNotice = 'expiring' | 'expired';

export interface ExpiryTiming {
  /** How long before `expiresAt` the client is told (at once when less is left). */
  readonly warningMs: number;
  /** Clock skew tolerated: the connection is closed this long after `expiresAt`. */
  readonly skewMs: number;
}

/** setTimeout fires at once for a delay past 2^31 - 1 ms (about 24.8 days): longer waits go in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When a token's connection hears about its expiry: `expiring` at `expiresAt - warningMs`
 * (at once when that has passed), then `expired` at `expiresAt + skewMs`, then complete.
 * Unsubscribing (a refresh, or the socket closing) cancels both.
 *
 * ```
 * expiresAt 100, warningMs 30, skewMs 10, subscribed at 0:
 * ----------...70 ms...e----...40 ms...(x|)
 * ```
 */
export function expiryNotices(expiresAt: number, timing: ExpiryTiming, scheduler: SchedulerLike): Observable<ExpiryNotice> {
  return merge(
    timerAt(expiresAt - timing.warningMs, scheduler).pipe(map((): ExpiryNotice => 'expiring')),
    timerAt(expiresAt + timing.skewMs, scheduler).pipe(map((): ExpiryNotice => 'expired')),
  );
}

/** Emits once at the scheduler time `dueAt` (at once if it has passed), however far away it is. */
export function timerAt(dueAt: number, scheduler: SchedulerLike): Observable<0> {
  return defer(() => {
    const wait = dueAt - scheduler.now();
    if (wait <= MAX_TIMER_MS) return timer(Math.max(0, wait), scheduler);
    return timer(MAX_TIMER_MS, scheduler).pipe(mergeMap(() => timerAt(dueAt, scheduler)));
  });
}
