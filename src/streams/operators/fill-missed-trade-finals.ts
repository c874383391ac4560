import { catchError, concatMap, defer, from, map, type MonoTypeOperatorFunction, type ObservableInput, of, retry, type SchedulerLike, timer } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { nextPeriodStart, type Resolution } from '../../domain/resolution.js';
import { closingInstant, type TopicUpdate } from '../../domain/update.js';

/** The stored finals of a trade-fed topic with `from <= time < to`, oldest first (a store's promise, or any observable input). */
export type StoredFinals = (from: number, to: number) => ObservableInput<readonly Bar[]>;

export interface FillMissedTradeFinalsOptions {
  /** The most finals filled at once (HISTORY_MAX_BARS), the latest ones. */
  readonly maxBars: number;
  readonly scheduler: SchedulerLike;
  /** How long to wait between two reads of a final the store does not have yet. */
  readonly retryMs: number;
  /** How many more reads before giving up (the bar is then a gap the client sees, as before). */
  readonly retries: number;
}

/**
 * The final-bar promise for a trade-fed topic that arrives over a channel that can lose updates
 * (a gateway on Redis: a publish missed during a reconnect or a generator failover). It is
 * `fillMissedFinals` for bars built from trades, with two differences: the finals come from the
 * store, asynchronously, so later updates wait in order behind the read (a final sent after a
 * later bar would be dropped by every chart); and a period without trades has no bar, so a
 * jump over periods is not a loss by itself.
 *
 * - The bar shown last was not final and a later one comes: its final was lost. The store is
 *   read for the finals in [that bar, the new one), until it has that bar's (the generator
 *   writes a final just after publishing it, so it may be a moment late), every `retryMs`, at
 *   most `retries` more times; then they are sent, `final` and `replay`, before the new update.
 * - The last was final and the new bar is not the next period's: a whole bar may have been
 *   lost in between; the store is read once for what lies between (usually nothing: no trades).
 *
 * ```
 * source (bar times):    --1--3--3F--|     (bar 1's final lost)
 * store read [1, 3):        (1F once stored)
 * fillMissedTradeFinals: --1--(1F 3)--3F--|
 * ```
 */
export function fillMissedTradeFinals(resolution: Resolution, storedFinals: StoredFinals, options: FillMissedTradeFinalsOptions): MonoTypeOperatorFunction<TopicUpdate<Bar>> {
  const { maxBars, scheduler, retryMs, retries } = options;
  const asFinal = (bar: Bar): TopicUpdate<Bar> => ({ value: bar, ts: closingInstant(resolution, bar.time), final: true, replay: true });
  return (source) =>
    defer(() => {
      let last: TopicUpdate<Bar> | undefined;
      return source.pipe(
        concatMap((update) => {
          const previous = last;
          if (previous === undefined || update.value.time >= previous.value.time) last = update;
          if (previous === undefined || update.value.time <= previous.value.time) return of(update);
          const lostFinal = previous.final !== true;
          const first = lostFinal ? previous.value.time : nextPeriodStart(resolution, previous.value.time);
          if (first >= update.value.time) return of(update);
          const read = defer(() => from(storedFinals(first, update.value.time))).pipe(
            map((bars) => {
              if (lostFinal && !bars.some((bar) => bar.time === previous.value.time)) throw new Error('not stored yet');
              return bars;
            }),
            retry({ count: lostFinal ? retries : 0, delay: () => timer(retryMs, scheduler) }),
            catchError(() => of<readonly Bar[]>([])),
          );
          return read.pipe(concatMap((bars) => of(...bars.slice(-maxBars).map(asFinal), update)));
        }),
      );
    });
}
