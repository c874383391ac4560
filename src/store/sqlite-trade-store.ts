import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Bar } from '../domain/bar.js';
import type { Resolution } from '../domain/resolution.js';
import type { Trade } from '../domain/trade.js';
import type { ImportCheckpoint, ImportStore, TradeOrderKey } from './import-store.js';
import { CREATE_MIGRATIONS_TABLE, pendingMigrations, SQLITE_DIALECT } from './migrations.js';
import { barFromRow, checkpointFromRow, checkpointParams, tradeFromRow, tradeParams, type BarRow, type ImportRow, type TradeRow } from './store-rows.js';
import { PRUNE_CHUNK, STORE_SQL, TRADES_IN_TIME_ORDER } from './store-sql.js';
import { sqliteUnwritableReason } from './sqlite-failures.js';
import { StoreUnavailableError, WriteHealth } from './store-unavailable.js';
import type { StoredBar, StoredTrade, StoreHealth, TradeStore } from './trade-store.js';

export interface SqliteStoreOptions {
  /** The database file; its folder is created if missing. */
  readonly file: string;
  /** `full` makes each commit survive an OS crash too (docs/operations.md); `normal` survives a killed process. */
  readonly sync: 'normal' | 'full';
}

/** How long a write waits for another process's write (`barcast import` beside a server) before failing. */
const BUSY_TIMEOUT_MS = 5_000;

/*
 * Write transactions are BEGIN IMMEDIATE: they take the write lock up front (waiting up to
 * BUSY_TIMEOUT_MS for an import beside the server), never failing half-way on a lock upgrade.
 * better-sqlite3 is synchronous: each call below runs to completion on this turn, which is
 * what makes a batch of thousands of trades one short transaction. The promises are the
 * TradeStore contract (PostgreSQL is asynchronous), settled at once.
 */

/** Opens (creating and migrating) the SQLite store at `options.file`. */
export function openSqliteTradeStore(options: SqliteStoreOptions): TradeStore & ImportStore {
  mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  try {
    configureConnection(db, options.sync);
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

function migrate(db: Database.Database): void {
  db.exec(CREATE_MIGRATIONS_TABLE);
  const applied = (db.prepare(STORE_SQL.appliedMigrations).all() as { version: number }[]).map((row) => row.version);
  for (const migration of pendingMigrations(applied)) {
    db.transaction(() => {
      for (const statement of migration.statements(SQLITE_DIALECT)) db.exec(statement);
      db.prepare(STORE_SQL.recordMigration).run(migration.version, migration.name, Date.now());
    }).immediate();
  }
}

class SqliteTradeStore implements TradeStore, ImportStore {
  private readonly health_ = new WriteHealth();
  private readonly statements;
  private readonly insertBatch: Database.Transaction<(trades: readonly Trade[]) => boolean[]>;
  private readonly importBatch: Database.Transaction<(fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint) => boolean[]>;
  private readonly saveBarBatch: Database.Transaction<(bars: readonly StoredBar[]) => void>;
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
    };
    // A duplicate (even of a trade earlier in the same batch) hits the unique index and changes nothing.
    this.insertBatch = db.transaction((trades: readonly Trade[]) => trades.map((trade) => this.statements.insertTrade.run(...tradeParams(trade)).changes === 1));
    this.importBatch = db.transaction((fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint) => {
      const inserted = this.insertBatch(trades); // nested: a savepoint inside this transaction
      this.statements.saveImportCheckpoint.run(...checkpointParams(fileKey, checkpoint));
      return inserted;
    });
    this.saveBarBatch = db.transaction((bars: readonly StoredBar[]) => {
      for (const { symbol, resolution, bar } of bars) {
        this.statements.upsertBar.run(symbol, resolution, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume);
      }
    });
  }

  async appendTrades(trades: readonly Trade[]): Promise<readonly boolean[]> {
    if (trades.length === 0) return [];
    return this.write(() => this.insertBatch.immediate(trades));
  }

  async appendImportBatch(fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint): Promise<readonly boolean[]> {
    return this.write(() => this.importBatch.immediate(fileKey, trades, checkpoint));
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
    this.write(() => this.saveBarBatch.immediate(bars));
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
