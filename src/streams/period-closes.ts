import { defer, map, type Observable, repeat, type SchedulerLike, timer } from 'rxjs';
import { nextPeriodStart, type Resolution } from '../domain/resolution.js';

/**
 * The last millisecond of every period of `resolution`, emitted when it is due, as that
 * instant (not the scheduler's clock, which a late timer may have carried past the boundary).
 * Ticking the generator there closes each live bar on the same price history computes for it,
 * so the next bar opens on its anchor.
 *
 * ```
 * resolution '1', subscribed at 0:   59999ms a 59999ms b ...   (a = 59_999, b = 119_999)
 * ```
 */
export function periodCloses(resolution: Resolution, scheduler: SchedulerLike): Observable<number> {
  return defer(() => {
    let from = scheduler.now();
    return defer(() => {
      const close = nextPeriodStart(resolution, from) - 1;
      from = close + 1;
      return timer(Math.max(0, close - scheduler.now()), scheduler).pipe(map(() => close));
    }).pipe(repeat());
  });
}
