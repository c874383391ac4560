import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'libsql';
import type { Bar } from '../domain/bar.js';
import type { Resolution } from '../domain/resolution.js';
import type { Trade } from '../domain/trade.js';
import type { ImportCheckpoint, ImportStore, TradeOrderKey } from './import-store.js';
import { CREATE_MIGRATIONS_TABLE, pendingMigrations, SQLITE_DIALECT } from './migrations.js';
import { barFromRow, checkpointFromRow, checkpointParams, tradeFromRow, tradeParams, type BarRow, type ImportRow, type TradeRow } from './store-rows.js';
import { PRUNE_CHUNK, STORE_SQL, TRADES_IN_TIME_ORDER } from './store-sql.js';
import { sqliteUnwritableReason } from './sqlite-failures.js';
import { StoreUnavailableError, WriteHealth } from './store-unavailable.js';
import { IngestOffsetConflict } from './ingest-offset-conflict.js';
import type { OffsetAdvance, StoredBar, StoredTrade, StoreHealth, TradeStore } from './trade-store.js';

export interface SqliteStoreOptions {
  /** The database file; its folder is created if missing. */
  readonly file: string;
  /** `full` makes each commit survive an OS crash too (docs/operations.md); `normal` survives a killed process. */
  readonly sync: 'normal' | 'full';
  /**
   * Who copies the WAL back into the database file. `writer` (default): the committing
   * connection, as SQLite does by itself, every WAL_AUTOCHECKPOINT_PAGES. `background`: another
   * thread does it (sqlite-checkpointer.ts, started by sqlite-checkpoint-thread.ts), and the writer's own
   * checkpoint is only the backstop that bounds the WAL, at WAL_BACKSTOP_PAGES.
   */
  readonly checkpoints?: 'writer' | 'background';
}

/** SQLite's default auto-checkpoint: after a commit that leaves the WAL at this many pages or more. */
const WAL_AUTOCHECKPOINT_PAGES = 1_000;
/**
 * With the checkpoints on their own thread: the commit that finds the WAL at 4,000 pages (16 MB)
 * checkpoints too. A checkpoint on the writer is what made the commit tail (250 trades: p99
 * 6-7 ms with it, 1.7 ms without, back to back on a quiet machine); the background thread
 * copies all but the last few pages first, so this one is short. Without it a writer that
 * never pauses would keep the WAL from ever starting over (measured: 417 MB after 1 M trades).
 */
export const WAL_BACKSTOP_PAGES = 4_000;

/** How long a write waits for another process's write (`barcast import` beside a server) before failing. */
const BUSY_TIMEOUT_MS = 5_000;

/*
 * Write transactions are BEGIN IMMEDIATE: they take the write lock up front (waiting up to
 * BUSY_TIMEOUT_MS for an import beside the server), never failing half-way on a lock upgrade.
 * The driver (libsql, better-sqlite3's API; docs/operations.md says why not better-sqlite3
 * itself) is synchronous: each call below runs to completion on this turn, which is
 * what makes a batch of thousands of trades one short transaction. The promises are the
 * TradeStore contract (PostgreSQL is asynchronous), settled at once.
 */

/** Opens (creating and migrating) the SQLite store at `options.file`. */
export function openSqliteTradeStore(options: SqliteStoreOptions): TradeStore & ImportStore {
  mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  try {
    configureConnection(db, options.sync);
    db.pragma(`wal_autocheckpoint = ${options.checkpoints === 'background' ? WAL_BACKSTOP_PAGES : WAL_AUTOCHECKPOINT_PAGES}`);
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteTradeStore(db);
}

/** WAL, the commit durability INGEST_SYNC asks for, and a wait for other writers: per connection. */
export function configureConnection(db: Database.Database, sync: SqliteStoreOptions['sync']): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/**
 * Runs `work` in one BEGIN IMMEDIATE transaction. Ours rather than the driver's
 * `transaction()`: SQLite rolls a transaction back by itself on some failures (a full disk),
 * and the driver's wrapper then throws its own "no transaction is active" from ROLLBACK in
 * place of the failure, which would hide SQLITE_FULL from the store's health.
 */
function immediateTransaction<T>(db: Database.Database, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function migrate(db: Database.Database): void {
  db.exec(CREATE_MIGRATIONS_TABLE);
  const applied = (db.prepare(STORE_SQL.appliedMigrations).all() as { version: number }[]).map((row) => row.version);
  for (const migration of pendingMigrations(applied)) {
    immediateTransaction(db, () => {
      for (const statement of migration.statements(SQLITE_DIALECT)) db.exec(statement);
      db.prepare(STORE_SQL.recordMigration).run(migration.version, migration.name, Date.now());
    });
  }
}

class SqliteTradeStore implements TradeStore, ImportStore {
  private readonly health_ = new WriteHealth();
  private readonly statements;
  private readonly insertBatch: (trades: readonly Trade[], advances: readonly OffsetAdvance[]) => boolean[];
  private readonly importBatch: (fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint) => boolean[];
  private readonly saveBarBatch: (bars: readonly StoredBar[]) => void;
  private closed = false;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      insertTrade: db.prepare(STORE_SQL.insertTrade),
      tradesSince: db.prepare(STORE_SQL.tradesSince),
      tradesInTimeOrder: db.prepare(TRADES_IN_TIME_ORDER),
      upsertBar: db.prepare(STORE_SQL.upsertBar),
      barsNewestFirst: db.prepare(STORE_SQL.barsNewestFirst),
      lastBar: db.prepare(STORE_SQL.lastBar),
      pruneTrades: db.prepare(STORE_SQL.pruneTrades),
      pruneBars: db.prepare(STORE_SQL.pruneBars),
      importCheckpoint: db.prepare(STORE_SQL.importCheckpoint),
      saveImportCheckpoint: db.prepare(STORE_SQL.saveImportCheckpoint),
      ingestOffset: db.prepare(STORE_SQL.ingestOffset),
      advanceIngestOffset: db.prepare(STORE_SQL.advanceIngestOffset),
      firstIngestOffset: db.prepare(STORE_SQL.firstIngestOffset),
    };
    // A duplicate (even of a trade earlier in the same batch) hits the unique index and changes nothing.
    const insertAll = (trades: readonly Trade[]): boolean[] => trades.map((trade) => this.statements.insertTrade.run(...tradeParams(trade)).changes === 1);
    // A lost offset race throws inside the transaction, which rolls the trades back with it.
    const advance = ({ symbol, expected, next }: OffsetAdvance): void => {
      const moved = expected === undefined ? this.statements.firstIngestOffset.run(symbol, next) : this.statements.advanceIngestOffset.run(next, symbol, expected);
      if (moved.changes !== 1) throw new IngestOffsetConflict(symbol);
    };
    this.insertBatch = (trades, advances) =>
      immediateTransaction(db, () => {
        const inserted = insertAll(trades);
        for (const offset of advances) advance(offset);
        return inserted;
      });
    // One transaction for the batch and its checkpoint.
    this.importBatch = (fileKey, trades, checkpoint) =>
      immediateTransaction(db, () => {
        const inserted = insertAll(trades);
        this.statements.saveImportCheckpoint.run(...checkpointParams(fileKey, checkpoint));
        return inserted;
      });
    this.saveBarBatch = (bars) =>
      immediateTransaction(db, () => {
        for (const { symbol, resolution, bar } of bars) {
          this.statements.upsertBar.run(symbol, resolution, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume);
        }
      });
  }

  async appendTrades(trades: readonly Trade[], advances: readonly OffsetAdvance[] = []): Promise<readonly boolean[]> {
    if (trades.length === 0 && advances.length === 0) return [];
    return this.write(() => this.insertBatch(trades, advances));
  }

  async ingestOffset(symbol: string): Promise<string | undefined> {
    return this.read(() => (this.statements.ingestOffset.get(symbol) as { stream_id: string } | undefined)?.stream_id);
  }

  async appendImportBatch(fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint): Promise<readonly boolean[]> {
    return this.write(() => this.importBatch(fileKey, trades, checkpoint));
  }

  async saveImportCheckpoint(fileKey: string, checkpoint: ImportCheckpoint): Promise<void> {
    this.write(() => this.statements.saveImportCheckpoint.run(...checkpointParams(fileKey, checkpoint)));
  }

  async importCheckpoint(fileKey: string): Promise<ImportCheckpoint | undefined> {
    const row = this.read(() => this.statements.importCheckpoint.get(fileKey) as ImportRow | undefined);
    return row && checkpointFromRow(row);
  }

  async tradesSince(symbol: string, from: number): Promise<readonly StoredTrade[]> {
    return this.read(() => (this.statements.tradesSince.all(symbol, from) as TradeRow[]).map(tradeFromRow));
  }

  async tradesInTimeOrder(symbol: string, from: number, to: number, after: TradeOrderKey | undefined, limit: number): Promise<readonly StoredTrade[]> {
    const key = after ?? { time: from - 1, seq: 0 };
    return this.read(() => (this.statements.tradesInTimeOrder.all(symbol, from, to, key.time, key.time, key.seq, limit) as TradeRow[]).map(tradeFromRow));
  }

  async saveBars(bars: readonly StoredBar[]): Promise<void> {
    if (bars.length === 0) return;
    this.write(() => this.saveBarBatch(bars));
  }

  async bars(symbol: string, resolution: Resolution, from: number, to: number, limit: number): Promise<readonly Bar[]> {
    if (limit <= 0) return [];
    return this.read(() => (this.statements.barsNewestFirst.all(symbol, resolution, from, to, limit) as BarRow[]).map(barFromRow).reverse());
  }

  async lastBar(symbol: string, resolution: Resolution): Promise<Bar | undefined> {
    const row = this.read(() => this.statements.lastBar.get(symbol, resolution) as BarRow | undefined);
    return row && barFromRow(row);
  }

  async prune(tradesBefore: number, barsBefore: number): Promise<{ readonly trades: number; readonly bars: number }> {
    const trades = await this.pruneInChunks(this.statements.pruneTrades, tradesBefore);
    const bars = await this.pruneInChunks(this.statements.pruneBars, barsBefore);
    return { trades, bars };
  }

  health(): StoreHealth {
    return this.health_.current();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The driver lets go of the file once the prepared statements are collected, not at once:
    // nothing more is written through this store either way.
    this.db.close();
  }

  /** Chunk by chunk, each its own short transaction, yielding to the event loop in between. */
  private async pruneInChunks(statement: Database.Statement, before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { changes } = this.write(() => statement.run(before, PRUNE_CHUNK));
      total += changes;
      if (changes < PRUNE_CHUNK) return total;
      await nextTurn();
    }
  }

  private write<T>(run: () => T): T {
    this.assertOpen();
    try {
      const result = run();
      this.health_.succeeded();
      return result;
    } catch (error) {
      const reason = sqliteUnwritableReason(error);
      if (reason === undefined) throw error;
      this.health_.failed(reason);
      throw new StoreUnavailableError(reason, { cause: error });
    }
  }

  private read<T>(run: () => T): T {
    this.assertOpen();
    return run();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the trade store is closed');
  }
}
