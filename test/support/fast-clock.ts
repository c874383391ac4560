import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';

/**
 * A real-time scheduler whose clock runs `speed` times faster, for end-to-end tests that need
 * bar periods to pass: at 60, a 1-minute bar closes every real second. `now()` starts at the
 * real time and every delay is shortened by the same factor, so the app's timers, history
 * and live bars all agree with each other. Share one between app restarts so time goes on.
 */
export function fastClock(speed: number, start = Date.now()): SchedulerLike {
  return {
    now: () => start + (Date.now() - start) * speed,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let rescheduled = false;
      const action = new Subscription(() => clearTimeout(timer)) as Subscription & SchedulerAction<T>;
      action.schedule = (nextState?: T, nextDelay = 0) => {
        rescheduled = true;
        clearTimeout(timer);
        if (action.closed) return action;
        timer = setTimeout(() => {
          rescheduled = false;
          work.call(action, nextState);
          // As rxjs' own actions do: one that did not schedule itself again is done.
          if (!rescheduled) action.unsubscribe();
        }, nextDelay / speed);
        return action;
      };
      return action.schedule(state, delay);
    },
  };
}
