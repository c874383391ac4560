import { type SchedulerLike, timer } from 'rxjs';

/**
 * Waits for `work` at most `ms` on the scheduler's clock: true if it settled in time, false
 * if the deadline came first. The work is not cancelled; a late result still applies. Used
 * where one unresponsive Redis node (a frozen shard: connections open, no reply) must not hold
 * up what the other nodes answer.
 */
export function settledWithin(work: Promise<unknown>, ms: number, scheduler: SchedulerLike): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = timer(ms, scheduler).subscribe(() => resolve(false));
    const settle = (): void => {
      deadline.unsubscribe();
      resolve(true);
    };
    work.then(settle, settle);
  });
}

/**
 * How long a slot waits for Redis: half an interval, so a slot ends before the next begins
 * and leases (1.5 intervals) are renewed on time whatever one node does; never under 250 ms,
 * so a loaded machine's ordinary latency is not taken for a frozen node.
 */
export function slotDeadlineMs(periodMs: number): number {
  return Math.max(periodMs / 2, 250);
}
