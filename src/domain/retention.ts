/**
 * How long trade-built history is kept (HISTORY_RETENTION_DAYS, INGEST_TRADE_RETENTION_HOURS;
 * docs/operations.md): stored trades for hours (enough to rebuild any bar still forming),
 * final bars for days, or forever when `barDays` is 0.
 */
export interface Retention {
  readonly tradeHours: number;
  readonly barDays: number;
}

/** What a prune deletes: trades with time before `tradesBefore`, bars with time before `barsBefore`. */
export interface PruneCutoffs {
  readonly tradesBefore: number;
  readonly barsBefore: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Older than any time a bar can have: "keep every bar". */
const KEEP_ALL = Number.MIN_SAFE_INTEGER;

export function pruneCutoffs(now: number, retention: Retention): PruneCutoffs {
  return {
    tradesBefore: now - retention.tradeHours * HOUR_MS,
    barsBefore: retention.barDays === 0 ? KEEP_ALL : now - retention.barDays * DAY_MS,
  };
}
