import { defer, mergeMap, type MonoTypeOperatorFunction, of } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { nextPeriodStart, periodIndex, type Resolution } from '../../domain/resolution.js';
import { closingInstant, type TopicUpdate } from '../../domain/update.js';

/**
 * Closed bars of `resolution` from history: those of the periods numbered [first, end).
 */
export type ClosedBars = (first: number, end: number) => readonly Bar[];

/**
 * Keeps the final-bar promise for a stream that can lose updates on the way (a Redis channel:
 * a publish missed during a reconnect, a generator that died before a bar's close): when the
 * stream moves to a later bar without having closed the one before, the finals of every
 * period it skipped are sent first, from history (exact), marked `final` and `replay`.
 * At most `maxBars` are filled, the latest ones (an outage longer than that is a gap the
 * client sees, and reloads).
 *
 * ```
 * source (bar times):   --1--1--3--3F--4--|      (bar 1's close and all of bar 2 were lost)
 * fillMissedFinals:     --1--1--(12)3--3F--4--|  (1 and 2 from history, final, before 3)
 * ```
 */
export function fillMissedFinals(resolution: Resolution, closedBars: ClosedBars, maxBars: number): MonoTypeOperatorFunction<TopicUpdate<Bar>> {
  return (source) =>
    defer(() => {
      let last: TopicUpdate<Bar> | undefined;
      return source.pipe(
        mergeMap((update) => {
          const previous = last;
          if (previous === undefined || update.value.time >= previous.value.time) last = update;
          if (previous === undefined || update.value.time <= previous.value.time) return of(update);
          const firstOpen = previous.final ? nextPeriodStart(resolution, previous.value.time) : previous.value.time;
          const end = periodIndex(resolution, update.value.time);
          const first = Math.max(periodIndex(resolution, firstOpen), end - maxBars);
          if (first >= end) return of(update);
          const filled = closedBars(first, end).map(
            (bar): TopicUpdate<Bar> => ({ value: bar, ts: closingInstant(resolution, bar.time), final: true, replay: true }),
          );
          return of(...filled, update);
        }),
      );
    });
}
