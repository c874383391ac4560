import { TestScheduler } from 'rxjs/testing';
import type { DeepEqual } from './runner.js';

export interface MarbleLimits {
  /**
   * The last virtual millisecond a run may reach. Work scheduled beyond it means a stream
   * never ended (a topic whose refcount never resets keeps its interval alive forever).
   */
  readonly maxFrames?: number;
  /** Scheduled actions a run may execute: catches a loop that reschedules at one frame (`interval(0)`). */
  readonly maxActions?: number;
}

/** A year of virtual time: longer than any bar period, far shorter than forever. */
export const DEFAULT_MAX_FRAMES = 366 * 24 * 60 * 60 * 1000;
/**
 * Far above what a marble test schedules (barcast's own need under a hundred; a day of
 * one-second ticks on one topic is 86,400: raise it for such a test), and reached within a
 * second or two when a stream never ends, even through the hub's whole pipeline.
 */
export const DEFAULT_MAX_ACTIONS = 100_000;

/** A marble run that did not end by itself: named, with what was still scheduled. */
export class MarbleLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarbleLimitError';
  }
}

/**
 * A `TestScheduler` whose flush stops at a frame and action limit and fails with a
 * `MarbleLimitError`, instead of spinning forever. The TestScheduler drains its queue
 * synchronously, so a test runner's timeout can never fire on a stream that never ends.
 */
export class MarbleScheduler extends TestScheduler {
  readonly maxFramesLimit: number;
  readonly maxActionsLimit: number;

  constructor(assertDeepEqual: DeepEqual, limits: MarbleLimits = {}) {
    super((actual, expected) => assertDeepEqual(actual, expected));
    this.maxFramesLimit = limits.maxFrames ?? DEFAULT_MAX_FRAMES;
    this.maxActionsLimit = limits.maxActions ?? DEFAULT_MAX_ACTIONS;
  }

  /**
   * Runs the scheduled actions itself (as VirtualTimeScheduler.flush does, with limits), then
   * lets TestScheduler.flush, finding the queue empty, compare what was expected.
   */
  override flush(): void {
    // Hot observables are set up before the queue runs, as TestScheduler.flush does.
    const hot = this.hotObservables;
    while (hot.length > 0) hot.shift()?.setup();
    const { actions } = this;
    let executed = 0;
    for (let action = actions[0]; action; action = actions[0]) {
      const frame = action.delay;
      if (frame > this.maxFramesLimit) this.fail(`ran past its frame limit of ${this.maxFramesLimit} virtual ms (next action at frame ${frame})`);
      if (executed >= this.maxActionsLimit) this.fail(`ran past its limit of ${this.maxActionsLimit} scheduled actions (at frame ${this.frame})`);
      actions.shift();
      this.frame = frame;
      executed += 1;
      const error = action.execute(action.state, frame);
      if (error) {
        this.abandonScheduledWork();
        throw error;
      }
    }
    super.flush();
  }

  private fail(reason: string): never {
    const pending = this.actions.length;
    this.abandonScheduledWork();
    throw new MarbleLimitError(
      `The marble run ${reason}, with ${pending} action(s) still scheduled: a stream never ends. ` +
        'Is a topic kept alive after its last subscriber left (refcount not reset), or is an endless stream expected without an unsubscription marble ("^ 10s !")?',
    );
  }

  private abandonScheduledWork(): void {
    for (let action = this.actions.shift(); action; action = this.actions.shift()) action.unsubscribe();
  }
}

/** A marble scheduler asserting with `assertDeepEqual` (`(a, e) => expect(a).toEqual(e)`, `assert.deepStrictEqual`). */
export function marbleScheduler(assertDeepEqual: DeepEqual, limits: MarbleLimits = {}): MarbleScheduler {
  return new MarbleScheduler(assertDeepEqual, limits);
}
