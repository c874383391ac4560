import { asyncScheduler, type SchedulerLike } from 'rxjs';

/**
 * The real clock moved forward so that a boundary of `periodMs` comes `leadMs` after now: bar
 * periods close while the test runs. Forward only, so leases (absolute times in Redis) stay
 * in Redis's future.
 */
export function clockBeforeBoundary(leadMs: number, periodMs: number): { scheduler: SchedulerLike; boundary: number } {
  const realNow = Date.now();
  const offset = (((periodMs - leadMs - (realNow % periodMs)) % periodMs) + periodMs) % periodMs;
  const scheduler: SchedulerLike = { now: () => Date.now() + offset, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
  return { scheduler, boundary: realNow + offset + leadMs };
}
