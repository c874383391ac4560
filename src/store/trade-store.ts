import type { Bar } from '../domain/bar.js';
import type { Resolution } from '../domain/resolution.js';
import type { Trade } from '../domain/trade.js';

/** A trade as stored: with the ingest sequence number that records its arrival order. */
export interface StoredTrade extends Trade {
  readonly seq: number;
}

/** A final bar of one topic, as stored. */
export interface StoredBar {
  readonly symbol: string;
  readonly resolution: Resolution;
  readonly bar: Bar;
}

/**
 * Where a commit moves a symbol's ingest offset (the id of the last entry of its Redis trade
 * stream that is committed): from `expected` (what the caller read or last wrote; undefined
 * when none is stored) to `next`, in the transaction of the trades. The leader's guarantee that
 * no entry is committed twice (docs/architecture.md, "With Redis").
 */
export interface OffsetAdvance {
  readonly symbol: string;
  readonly expected: string | undefined;
  readonly next: string;
}

/** Whether the store can take writes now, and if not, why (GET /ready reports it; reads may still work). */
export type StoreHealth = { readonly writable: true } | { readonly writable: false; readonly reason: string };

/**
 * Where trade-built history lives (docs/architecture.md, "Trade-built bars"): SQLite by
 * default (one file under DATA_DIR), PostgreSQL at scale (DATABASE_URL). Both implement this
 * and pass the same contract test. Every method is one transaction; a rejected promise means
 * nothing of that call was written.
 */
export interface TradeStore {
  /**
   * Writes `trades` durably in one transaction, in order. Resolves once committed, with one
   * entry per trade: `true` if it was new, `false` if a trade of the same symbol and id was
   * already stored (a duplicate, not written again). Trades without an id are always new.
   * With `advances`, the same transaction moves each symbol's ingest offset; when one is no
   * longer at its `expected` value, nothing is written and it rejects with
   * IngestOffsetConflict (another process committed that stream meanwhile).
   */
  appendTrades(trades: readonly Trade[], advances?: readonly OffsetAdvance[]): Promise<readonly boolean[]>;
  /** The stored ingest offset of `symbol`'s trade stream, if any (undefined: from its start). */
  ingestOffset(symbol: string): Promise<string | undefined>;
  /** The stored trades of `symbol` with `time >= from`, in arrival order (`seq`): recovery. */
  tradesSince(symbol: string, from: number): Promise<readonly StoredTrade[]>;
  /** Stores final bars; storing the same bar again is a no-op (an upsert of identical values). */
  saveBars(bars: readonly StoredBar[]): Promise<void>;
  /** Final bars of a topic with `from <= time < to`, oldest first, at most `limit` (the newest ones when cut). */
  bars(symbol: string, resolution: Resolution, from: number, to: number, limit: number): Promise<readonly Bar[]>;
  /** The latest stored final bar of a topic, if any. */
  lastBar(symbol: string, resolution: Resolution): Promise<Bar | undefined>;
  /**
   * Deletes trades with `time < tradesBefore` and bars with `time < barsBefore`; resolves with
   * how many went. The one call that is not one transaction: it deletes in chunks, each
   * committed on its own (a prune that fails part-way has deleted some; the next one goes on).
   */
  prune(tradesBefore: number, barsBefore: number): Promise<{ readonly trades: number; readonly bars: number }>;
  /** Whether writes succeed now (the last write's outcome, or a probe). */
  health(): StoreHealth;
  /** Waits for pending writes, then releases the file or the connection pool. */
  close(): Promise<void>;
}
