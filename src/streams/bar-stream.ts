import { interval, map, merge, type Observable, type SchedulerLike, startWith } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import { mockLastBar } from '../domain/mock-bar.js';
import type { Resolution } from '../domain/resolution.js';
import type { MockBarContext } from '../domain/series-key.js';
import type { TopicUpdate } from '../domain/update.js';
import { closeEveryPeriod } from './operators/close-every-period.js';
import { scanSkippingFailures } from './operators/scan-skipping-failures.js';
import { periodCloses } from './period-closes.js';

/** Makes the next bar from the previous one; `mockLastBar` unless a test swaps it. */
export type BarGenerator = (previous: Bar | undefined, now: number, context: MockBarContext) => Bar;

export interface BarStreamOptions {
  readonly symbol: string;
  readonly resolution: Resolution;
  readonly seed: number;
  readonly periodMs: number;
  readonly scheduler: SchedulerLike;
  readonly generate?: BarGenerator;
  /** What drives the ticks; by default this stream's own `interval(periodMs)`. */
  readonly ticks$?: Observable<unknown>;
  /** Called when one tick's generation throws; the stream then carries on at the next tick. */
  readonly onGeneratorError: (error: unknown) => void;
}

/**
 * The live bars of one topic, each with the instant it was computed at: the clock is read at
 * once on subscribe (so a new subscriber has the current bar without waiting a whole
 * interval), then every `periodMs`, and at the last millisecond of every bar period (so each
 * bar closes on the price history reports, and that update's `ts` is the period's last
 * millisecond even when the timer fired late, or after the next period's first tick).
 * Cold: each subscription starts its own timers, so sharing is the hub's job.
 */
export function barUpdates(options: BarStreamOptions): Observable<TopicUpdate<Bar>> {
  const { scheduler, generate = mockLastBar } = options;
  const context: MockBarContext = {
    seed: options.seed,
    symbol: options.symbol,
    resolution: options.resolution,
  };
  const ticks$ = (options.ticks$ ?? interval(options.periodMs, scheduler)).pipe(
    startWith(-1),
    map(() => scheduler.now()),
  );
  return merge(ticks$, periodCloses(options.resolution, scheduler)).pipe(
    closeEveryPeriod(options.resolution),
    scanSkippingFailures(
      (update: TopicUpdate<Bar> | undefined, now: number): TopicUpdate<Bar> => ({ value: generate(update?.value, now, context), ts: now }),
      options.onGeneratorError,
    ),
  );
}
