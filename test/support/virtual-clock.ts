import { VirtualTimeScheduler } from 'rxjs';

/**
 * A virtual clock for tests of code that mixes timers with promises (a store's answers), which
 * TestScheduler.run cannot interleave: `advanceTo(t)` runs every timer due by `t`, in order,
 * then stands at `t`; promises settle between calls, when the test awaits.
 */
export class VirtualClock extends VirtualTimeScheduler {
  advanceTo(time: number): void {
    this.schedule(() => undefined, Math.max(0, time - this.now()));
    this.maxFrames = time;
    this.flush();
  }
}
