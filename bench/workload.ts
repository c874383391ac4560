import type { Bench } from './harness.js';
import type { FanoutResult, ReportTable, TargetCheck } from './report.js';

/** What one workload adds to a run's results (bench/results/*.json). */
export interface WorkloadOutcome {
  /** Rows of the main table, one per server, under the workload's id (`W1`: [...]). */
  readonly fanout?: Readonly<Record<string, readonly FanoutResult[]>>;
  /** Anything else the workload measured, under its id, as it is to be kept in the JSON. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Tables printed under the main one. */
  readonly tables?: readonly ReportTable[];
  /** One line each, printed under the table (and why a workload was skipped). */
  readonly notes?: readonly string[];
  readonly targets?: readonly TargetCheck[];
}

/**
 * A workload of `npm run bench`: one module under bench/workloads/ and one line in
 * bench/workloads/index.ts. `ids` are what `--only` selects (one module may measure several,
 * like W4 and W5 on one process); `full` and `quick` are its sizes.
 */
export interface Workload<Size> {
  readonly ids: readonly string[];
  readonly full: Size;
  readonly quick: Size;
  run(bench: Bench, size: Size, options: WorkloadOptions): Promise<WorkloadOutcome>;
}

/** Command-line settings a workload may read (bench/options.ts). */
export interface WorkloadOptions {
  /** `--ingest-minutes`: how long T3 (trades end to end) measures, instead of its size's. */
  readonly ingestMinutes?: number;
  /** `--ingest-rate`: the trades per second T3's publisher sends, instead of 50,000. */
  readonly ingestRate?: number;
}

/** A workload with its size type hidden, so the registry can be a plain array. */
export interface RegisteredWorkload {
  readonly ids: readonly string[];
  run(bench: Bench, quick: boolean, options?: WorkloadOptions): Promise<WorkloadOutcome>;
}

export function defineWorkload<Size>(definition: Workload<Size>): RegisteredWorkload {
  return { ids: definition.ids, run: (bench, quick, options = {}) => definition.run(bench, quick ? definition.quick : definition.full, options) };
}
