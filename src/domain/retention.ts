import { periodStart, type Resolution } from './resolution.js';

/**
 * How long trade-built history is kept (HISTORY_RETENTION_DAYS, INGEST_TRADE_RETENTION_HOURS;
 * docs/operations.md): stored trades for hours, final bars for days, or forever when
 * `barDays` is 0. `resolutions` are the configured ones: a trade is kept while a bar it
 * belongs to may still be forming, since recovery rebuilds forming bars from stored trades.
 */
export interface Retention {
  readonly tradeHours: number;
  readonly barDays: number;
  readonly resolutions: readonly Resolution[];
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

/**
 * Trades older than the retention go, except those of a period that the retention's edge
 * falls into, at any configured resolution (and `1`): with `1M` configured and 48 hours kept,
 * on the 20th the trades back to the 1st stay, because the month's bar is still forming and a
 * restart rebuilds it from them. The edge is at least an hour back, far past any lateness, so
 * every period before the edge's has gone final (and is in `bars`).
 */
export function pruneCutoffs(now: number, retention: Retention): PruneCutoffs {
  const edge = now - retention.tradeHours * HOUR_MS;
  return {
    tradesBefore: Math.min(edge, ...['1' as const, ...retention.resolutions].map((resolution) => periodStart(resolution, edge))),
    barsBefore: retention.barDays === 0 ? KEEP_ALL : now - retention.barDays * DAY_MS,
  };
}
