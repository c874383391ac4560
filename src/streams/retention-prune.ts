import { catchError, exhaustMap, from, map, of, timer, type Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { pruneCutoffs, type PruneCutoffs, type Retention } from '../domain/retention.js';

/** What is pruned: the TradeStore fits (its prune returns a promise, an ObservableInput). */
export interface PruneTarget {
  prune(tradesBefore: number, barsBefore: number): ObservableInput<{ readonly trades: number; readonly bars: number }>;
}

/** One prune's outcome, for logs and metrics. */
export type PruneOutcome =
  | { readonly kind: 'pruned'; readonly cutoffs: PruneCutoffs; readonly trades: number; readonly bars: number }
  | { readonly kind: 'prune_failed'; readonly cutoffs: PruneCutoffs; readonly reason: string };

/** Ten minutes: a prune deletes little each time, and the tables never run far past their retention. */
export const PRUNE_EVERY_MS = 600_000;

/**
 * Prunes `target` at once and then every `everyMs`, with cut-offs from the scheduler's clock.
 * A prune still running when the next is due is not doubled (the tick is skipped); a failed
 * prune is reported and the schedule goes on.
 *
 * ```
 * timer     0---------1---------2--   (everyMs = 10)
 * prune     --p       --p       --p
 * output    --a-------b---------c--
 * ```
 */
export function pruneOnSchedule(target: PruneTarget, retention: Retention, scheduler: SchedulerLike, everyMs = PRUNE_EVERY_MS): Observable<PruneOutcome> {
  return timer(0, everyMs, scheduler).pipe(
    exhaustMap(() => {
      const cutoffs = pruneCutoffs(scheduler.now(), retention);
      return from(target.prune(cutoffs.tradesBefore, cutoffs.barsBefore)).pipe(
        map((counts): PruneOutcome => ({ kind: 'pruned', cutoffs, trades: counts.trades, bars: counts.bars })),
        catchError((error: unknown) => of<PruneOutcome>({ kind: 'prune_failed', cutoffs, reason: error instanceof Error ? error.message : String(error) })),
      );
    }),
  );
}
