import { defer, type Observable, type SchedulerLike, share, timer } from 'rxjs';
import { delayToNextTick } from '../domain/tick-phase.js';

/**
 * The clocks topics tick on: one shared timer per phase of the period, aligned to the
 * scheduler's clock (`phase + k * period`).
 *
 * Every topic on a phase is driven by the same timer callback, so their updates are fanned
 * out together and a socket on several of them can get one write per tick. A clock starts
 * with its first subscriber and stops with its last (`share` resets on refcount zero): no
 * timer runs for a phase no topic uses.
 *
 *   ticks(3), period 10:  ---a---------b---------c-->   (frames 3, 13, 23: the counter)
 */
export class TickGrid {
  private readonly clocks = new Map<number, Observable<number>>();

  constructor(
    private readonly periodMs: number,
    private readonly scheduler: SchedulerLike,
  ) {}

  ticks(phaseMs: number): Observable<number> {
    let clock = this.clocks.get(phaseMs);
    if (!clock) {
      const { periodMs, scheduler } = this;
      clock = defer(() => timer(delayToNextTick(scheduler.now(), periodMs, phaseMs), periodMs, scheduler)).pipe(share());
      this.clocks.set(phaseMs, clock);
    }
    return clock;
  }
}
