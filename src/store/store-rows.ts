import type { Bar } from '../domain/bar.js';
import type { Trade } from '../domain/trade.js';
import type { ImportCheckpoint } from './import-store.js';
import type { StoredTrade } from './trade-store.js';

/*
 * Rows as both drivers return them, to the stored types. Number() because node-postgres
 * returns BIGINT columns as strings (times and sequence numbers fit a double exactly).
 */

export interface TradeRow {
  readonly seq: number | string;
  readonly symbol: string;
  readonly trade_id: string | null;
  readonly time: number | string;
  readonly price: number;
  readonly size: number;
}

export interface BarRow {
  readonly time: number | string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface ImportRow {
  readonly offset_bytes: number | string;
  readonly line: number | string;
  readonly done: number;
  readonly ranges: string;
  readonly prefix_sha256: string;
}

export function tradeFromRow(row: TradeRow): StoredTrade {
  const trade = { seq: Number(row.seq), symbol: row.symbol, price: row.price, size: row.size, time: Number(row.time) };
  return row.trade_id === null ? trade : { ...trade, id: row.trade_id };
}

export function barFromRow(row: BarRow): Bar {
  return { time: Number(row.time), open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume };
}

export function checkpointFromRow(row: ImportRow): ImportCheckpoint {
  return {
    offset: Number(row.offset_bytes),
    line: Number(row.line),
    done: row.done === 1,
    ranges: JSON.parse(row.ranges) as ImportCheckpoint['ranges'],
    prefixSha256: row.prefix_sha256,
  };
}

/** The parameters of STORE_SQL.insertTrade. */
export function tradeParams(trade: Trade): readonly unknown[] {
  return [trade.symbol, trade.id ?? null, trade.time, trade.price, trade.size];
}

/** The parameters of STORE_SQL.saveImportCheckpoint. */
export function checkpointParams(fileKey: string, checkpoint: ImportCheckpoint): readonly unknown[] {
  return [fileKey, checkpoint.offset, checkpoint.line, checkpoint.done ? 1 : 0, JSON.stringify(checkpoint.ranges), checkpoint.prefixSha256];
}
