import { defer, map, type Observable, repeat, type SchedulerLike, timer } from 'rxjs';

/**
 * Emits the number of each time slot of `periodMs` as it begins: slot n starts at
 * n * periodMs on the scheduler's clock.
 *
 * ```
 * periodMs 10, subscribed at 3:   -------1---------2---------3...   (at 10, 20, 30)
 * ```
 *
 * Unlike `interval`, every process on one clock ticks in the same phase and names the tick
 * the same way, so generators agree on which tick is which (the slot is what the publish
 * guard compares). Each wait is recomputed from the clock, so ticks never drift; a stalled
 * process skips the slots it missed instead of bursting through them; and a timer firing a
 * hair early cannot emit one slot twice.
 */
export function slotTicks(periodMs: number, scheduler: SchedulerLike): Observable<number> {
  return defer(() => {
    let last = Number.NEGATIVE_INFINITY;
    return defer(() => {
      const now = scheduler.now();
      const slot = Math.max(last + 1, Math.floor(now / periodMs) + 1);
      return timer(Math.max(0, slot * periodMs - now), scheduler).pipe(map(() => (last = slot)));
    }).pipe(repeat());
  });
}
