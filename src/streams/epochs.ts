import type { SchedulerLike } from 'rxjs';

/**
 * Epoch names for one process: the time a numbering starts, a counter, and a random part
 * drawn once per process, so two processes (a generator and its successor after a failover)
 * never name two numberings alike, even when they start in the same millisecond.
 * Short on purpose: every update frame carries one.
 */
export function defaultEpochs(scheduler: SchedulerLike, processPart: string = Math.random().toString(36).slice(2, 6)): () => string {
  let counter = 0;
  return () => `${processPart}${scheduler.now().toString(36)}${(counter += 1).toString(36)}`;
}
