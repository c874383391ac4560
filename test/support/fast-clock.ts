import type { SchedulerLike } from 'rxjs';
import { AsyncAction } from 'rxjs/internal/scheduler/AsyncAction';
import { AsyncScheduler } from 'rxjs/internal/scheduler/AsyncScheduler';
import type { TimerHandle } from 'rxjs/internal/scheduler/timerHandle';

/**
 * A real-time clock that runs `speed` times faster than the wall clock, for end-to-end tests
 * that need many one-minute bars to close: every delay scheduled on it (intervals included,
 * which reschedule through their action) is divided by `speed`, and `now()` advances `speed`
 * ms per real ms. `startAt` sets where it starts (default: the wall clock now).
 * Not for Redis engines: leases are absolute times that Redis expires on its own clock.
 */
export function fastClock(speed: number, startAt: number = Date.now()): SchedulerLike {
  const realStart = Date.now();
  class FastAction<T> extends AsyncAction<T> {
    protected override requestAsyncId(scheduler: AsyncScheduler, id?: TimerHandle, delay = 0): TimerHandle {
      return super.requestAsyncId(scheduler, id, delay / speed);
    }
  }
  return new AsyncScheduler(FastAction, () => startAt + (Date.now() - realStart) * speed);
}
