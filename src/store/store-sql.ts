/**
 * The statements both stores run, written once with `?` placeholders (SQLite's spelling;
 * the PostgreSQL store numbers them with `numberedPlaceholders`). Column names are the
 * schema's (migrations.ts).
 */
export const STORE_SQL = {
  insertTrade: 'INSERT INTO trades (symbol, trade_id, time, price, size) VALUES (?, ?, ?, ?, ?) ON CONFLICT (symbol, trade_id) DO NOTHING',
  tradesSince: 'SELECT seq, symbol, trade_id, time, price, size FROM trades WHERE symbol = ? AND time >= ? ORDER BY seq',
  upsertBar: `INSERT INTO bars (symbol, resolution, time, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (symbol, resolution, time) DO UPDATE SET
      open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`,
  // Newest first so LIMIT keeps the newest bars of a range that is cut; the store reverses them.
  barsNewestFirst: `SELECT time, open, high, low, close, volume FROM bars
    WHERE symbol = ? AND resolution = ? AND time >= ? AND time < ? ORDER BY time DESC LIMIT ?`,
  lastBar: 'SELECT time, open, high, low, close, volume FROM bars WHERE symbol = ? AND resolution = ? ORDER BY time DESC LIMIT 1',
  // Deleted in chunks, so a large prune never holds the writer (or SQLite's event loop) for long.
  pruneTrades: 'DELETE FROM trades WHERE seq IN (SELECT seq FROM trades WHERE time < ? LIMIT ?)',
  pruneBars: `DELETE FROM bars WHERE (symbol, resolution, time) IN
    (SELECT symbol, resolution, time FROM bars WHERE time < ? LIMIT ?)`,
  ingestOffset: 'SELECT stream_id FROM ingest_offsets WHERE symbol = ?',
  // Optimistic: moves only from the offset the caller read; 0 rows changed is a lost race (IngestOffsetConflict).
  advanceIngestOffset: 'UPDATE ingest_offsets SET stream_id = ? WHERE symbol = ? AND stream_id = ?',
  firstIngestOffset: 'INSERT INTO ingest_offsets (symbol, stream_id) VALUES (?, ?) ON CONFLICT (symbol) DO NOTHING',
  appliedMigrations: 'SELECT version FROM schema_migrations ORDER BY version',
  recordMigration: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  importCheckpoint: 'SELECT offset_bytes, line, done, ranges, prefix_sha256 FROM imports WHERE file_key = ?',
  saveImportCheckpoint: `INSERT INTO imports (file_key, offset_bytes, line, done, ranges, prefix_sha256) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (file_key) DO UPDATE SET offset_bytes = excluded.offset_bytes, line = excluded.line, done = excluded.done,
      ranges = excluded.ranges, prefix_sha256 = excluded.prefix_sha256`,
} as const;

/** Rows deleted per statement of a prune. */
export const PRUNE_CHUNK = 10_000;

/** `?, ?` -> `$1, $2`: PostgreSQL's placeholders (the shared statements hold no `?` in literals). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** One page of a symbol's trades in time order, after a (time, seq) key: the bar rebuild of an import. */
export const TRADES_IN_TIME_ORDER = `SELECT seq, symbol, trade_id, time, price, size FROM trades
  WHERE symbol = ? AND time >= ? AND time < ? AND (time > ? OR (time = ? AND seq > ?)) ORDER BY time, seq LIMIT ?`;
