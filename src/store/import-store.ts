import type { Trade } from '../domain/trade.js';
import type { StoredTrade } from './trade-store.js';

/**
 * Where `barcast import` left a file: the byte offset and line just past the last committed
 * batch, whether the whole file (and its bars) is done, the time range each symbol's
 * imported trades span (the bars to rebuild at the end), and the SHA-256 of the file's bytes
 * before `offset` (hex), which tells a file that only grew from one rewritten before it.
 */
export interface ImportCheckpoint {
  readonly offset: number;
  readonly line: number;
  readonly done: boolean;
  readonly ranges: Readonly<Record<string, readonly [from: number, to: number]>>;
  readonly prefixSha256: string;
}

/** A trade's place in time order: ties in trade time are broken by arrival (`seq`). */
export interface TradeOrderKey {
  readonly time: number;
  readonly seq: number;
}

/**
 * What the import command needs beyond TradeStore; both stores implement it. Kept apart from
 * TradeStore so the ingest, which never imports, is built against the smaller seam.
 */
export interface ImportStore {
  /** The checkpoint of `fileKey` (the file's absolute path), if an import of it ever committed a batch. */
  importCheckpoint(fileKey: string): Promise<ImportCheckpoint | undefined>;
  /** appendTrades and the new checkpoint in one transaction: a resumed import starts exactly after it. */
  appendImportBatch(fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint): Promise<readonly boolean[]>;
  /** Saves a checkpoint alone (the import marks a file done once its bars are built). */
  saveImportCheckpoint(fileKey: string, checkpoint: ImportCheckpoint): Promise<void>;
  /** Up to `limit` trades of `symbol` with `from <= time < to`, after `after`, in (time, seq) order: one page of a rebuild. */
  tradesInTimeOrder(symbol: string, from: number, to: number, after: TradeOrderKey | undefined, limit: number): Promise<readonly StoredTrade[]>;
}
