import pg from 'pg';
import type { Bar } from '../domain/bar.js';
import type { Resolution } from '../domain/resolution.js';
import type { Trade } from '../domain/trade.js';
import type { ImportCheckpoint, ImportStore, TradeOrderKey } from './import-store.js';
import { CREATE_MIGRATIONS_TABLE, pendingMigrations, POSTGRES_DIALECT } from './migrations.js';
import { barFromRow, checkpointFromRow, checkpointParams, tradeFromRow, type BarRow, type ImportRow, type TradeRow } from './store-rows.js';
import { numberedPlaceholders, PRUNE_CHUNK, STORE_SQL, TRADES_IN_TIME_ORDER } from './store-sql.js';
import { postgresUnavailableReason as unavailableReason } from './postgres-failures.js';
import { StoreUnavailableError, WriteHealth } from './store-unavailable.js';
import { IngestOffsetConflict } from './ingest-offset-conflict.js';
import type { OffsetAdvance, StoredBar, StoredTrade, StoreHealth, TradeStore } from './trade-store.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  readonly connectionString: string;
  /** Pool size (docs/operations.md, "PostgreSQL sizing"). */
  readonly maxConnections?: number;
}

/** A connection attempt that takes longer fails the call, so writes fail fast while PostgreSQL is down. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * PostgreSQL ends a session of ours that sits this long inside a transaction. Ours are a few
 * statements sent back to back, idle between them for a round trip: idle for 10 s, the process
 * froze mid-commit (a pause, a stalled VM), and the rows it locked (a symbol's `ingest_offsets`
 * row, behind Redis) would hold up the generator that leads the symbol after it, for as long as
 * it stays frozen. Ended, the locks go, the new leader's commit goes through, and the frozen one's
 * commit fails when it wakes (its trades were never acknowledged). PostgreSQL's default is no limit.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

/** The pool's settings for `options`: what every connection of the store is opened with. */
export function postgresPoolConfig(options: PostgresStoreOptions): pg.PoolConfig {
  return {
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}
/** Any number: it names the lock that keeps two processes from migrating one database at once. */
const MIGRATION_LOCK = 2_100_021;

const SQL = Object.fromEntries(Object.entries(STORE_SQL).map(([name, sql]) => [name, numberedPlaceholders(sql)])) as Record<keyof typeof STORE_SQL, string>;

/*
 * A batch is one INSERT over arrays (one round trip, whatever its size) rather than the shared
 * one-row statement: ORDER BY ord assigns seq in batch order, and ON CONFLICT DO NOTHING skips
 * a row whose (symbol, trade_id) is stored or came earlier in the same batch.
 */
const INSERT_BATCH = `INSERT INTO trades (symbol, trade_id, time, price, size)
  SELECT symbol, trade_id, time, price, size
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::float8[]) WITH ORDINALITY AS t(symbol, trade_id, time, price, size, ord)
  ORDER BY ord
  ON CONFLICT (symbol, trade_id) DO NOTHING
  RETURNING symbol, trade_id`;

const UPSERT_BARS = `INSERT INTO bars (symbol, resolution, time, open, high, low, close, volume)
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
  ON CONFLICT (symbol, resolution, time) DO UPDATE SET
    open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`;

/** Opens the PostgreSQL store: a pool, and the schema migrated before the first call. */
export async function openPostgresTradeStore(options: PostgresStoreOptions): Promise<TradeStore & ImportStore> {
  const pool = new pg.Pool(postgresPoolConfig(options));
  const store = new PostgresTradeStore(pool);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return store;
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  const onError = () => undefined; // a connection lost mid-migration fails the query in progress; nothing else to do
  client.on('error', onError);
  try {
    // Several gateways may start together against one database: one migrates, the others wait.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const applied = (await client.query<{ version: number }>(SQL.appliedMigrations)).rows.map((row) => row.version);
    for (const migration of pendingMigrations(applied)) {
      await client.query('BEGIN');
      try {
        for (const statement of migration.statements(POSTGRES_DIALECT)) await client.query(statement);
        await client.query(SQL.recordMigration, [migration.version, migration.name, Date.now()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.off('error', onError);
    client.release();
  }
}

class PostgresTradeStore implements TradeStore, ImportStore {
  private readonly health_ = new WriteHealth();
  /** Trade appends run one after another, so seq follows the order of the calls. */
  private appends: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly pool: pg.Pool) {
    // An idle connection that breaks (PostgreSQL restarted) is reported here; unhandled it would crash the process.
    pool.on('error', (error) => this.health_.failed(unavailableReason(error) ?? error.message));
  }

  appendTrades(trades: readonly Trade[], advances: readonly OffsetAdvance[] = []): Promise<readonly boolean[]> {
    if (trades.length === 0 && advances.length === 0) return this.whenOpen(async () => []);
    return this.inOrder(() =>
      this.transaction(async (client) => {
        const inserted = trades.length === 0 ? [] : await insertBatch(client, trades);
        // A lost offset race throws here, and the transaction rolls the trades back with it.
        for (const offset of advances) await advanceOffset(client, offset);
        return inserted;
      }),
    );
  }

  async ingestOffset(symbol: string): Promise<string | undefined> {
    const { rows } = await this.read(() => this.pool.query<{ stream_id: string }>(SQL.ingestOffset, [symbol]));
    return rows[0]?.stream_id;
  }

  appendImportBatch(fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint): Promise<readonly boolean[]> {
    return this.inOrder(() =>
      this.transaction(async (client) => {
        const inserted = await insertBatch(client, trades);
        await client.query(SQL.saveImportCheckpoint, [...checkpointParams(fileKey, checkpoint)]);
        return inserted;
      }),
    );
  }

  async saveImportCheckpoint(fileKey: string, checkpoint: ImportCheckpoint): Promise<void> {
    await this.write(() => this.pool.query(SQL.saveImportCheckpoint, [...checkpointParams(fileKey, checkpoint)]));
  }

  async importCheckpoint(fileKey: string): Promise<ImportCheckpoint | undefined> {
    const { rows } = await this.read(() => this.pool.query<ImportRow>(SQL.importCheckpoint, [fileKey]));
    return rows[0] && checkpointFromRow(rows[0]);
  }

  async tradesSince(symbol: string, from: number): Promise<readonly StoredTrade[]> {
    const { rows } = await this.read(() => this.pool.query<TradeRow>(SQL.tradesSince, [symbol, from]));
    return rows.map(tradeFromRow);
  }

  async tradesInTimeOrder(symbol: string, from: number, to: number, after: TradeOrderKey | undefined, limit: number): Promise<readonly StoredTrade[]> {
    const key = after ?? { time: from - 1, seq: 0 };
    const { rows } = await this.read(() => this.pool.query<TradeRow>(numberedPlaceholders(TRADES_IN_TIME_ORDER), [symbol, from, to, key.time, key.time, key.seq, limit]));
    return rows.map(tradeFromRow);
  }

  async saveBars(bars: readonly StoredBar[]): Promise<void> {
    if (bars.length === 0) return this.whenOpen(async () => undefined);
    const column = (pick: (stored: StoredBar) => unknown) => bars.map(pick);
    const params = [
      column((stored) => stored.symbol),
      column((stored) => stored.resolution),
      column((stored) => stored.bar.time),
      column((stored) => stored.bar.open),
      column((stored) => stored.bar.high),
      column((stored) => stored.bar.low),
      column((stored) => stored.bar.close),
      column((stored) => stored.bar.volume),
    ];
    await this.write(() => this.pool.query(UPSERT_BARS, params));
  }

  async bars(symbol: string, resolution: Resolution, from: number, to: number, limit: number): Promise<readonly Bar[]> {
    if (limit <= 0) return this.whenOpen(async () => []);
    const { rows } = await this.read(() => this.pool.query<BarRow>(SQL.barsNewestFirst, [symbol, resolution, from, to, limit]));
    return rows.map(barFromRow).reverse();
  }

  async lastBar(symbol: string, resolution: Resolution): Promise<Bar | undefined> {
    const { rows } = await this.read(() => this.pool.query<BarRow>(SQL.lastBar, [symbol, resolution]));
    return rows[0] && barFromRow(rows[0]);
  }

  async prune(tradesBefore: number, barsBefore: number): Promise<{ readonly trades: number; readonly bars: number }> {
    const trades = await this.pruneInChunks(SQL.pruneTrades, tradesBefore);
    const bars = await this.pruneInChunks(SQL.pruneBars, barsBefore);
    return { trades, bars };
  }

  health(): StoreHealth {
    return this.health_.current();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.appends.catch(() => undefined);
    await this.pool.end();
  }

  private async pruneInChunks(sql: string, before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.write(() => this.pool.query(sql, [before, PRUNE_CHUNK]));
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < PRUNE_CHUNK) return total;
    }
  }

  private inOrder<T>(run: () => Promise<T>): Promise<T> {
    const result = this.whenOpen(() => this.appends.then(run, run));
    this.appends = result.catch(() => undefined);
    return result;
  }

  private transaction<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.write(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      // A checked-out connection that PostgreSQL terminates between two statements emits
      // 'error' on the client (not the pool): remembered here, it fails this transaction.
      const onError = (error: Error) => {
        broken = error;
        this.health_.failed(unavailableReason(error) ?? error.message);
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await run(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onError);
        // A connection that failed mid-transaction is dropped rather than handed to the next call.
        client.release(broken !== undefined && unavailableReason(broken) !== undefined ? broken : undefined);
      }
    });
  }

  private async write<T>(run: () => Promise<T>): Promise<T> {
    return this.whenOpen(async () => {
      try {
        const result = await run();
        this.health_.succeeded();
        return result;
      } catch (error) {
        const reason = unavailableReason(error);
        if (reason === undefined) throw error;
        this.health_.failed(reason);
        throw new StoreUnavailableError(reason, { cause: error });
      }
    });
  }

  private read<T>(run: () => Promise<T>): Promise<T> {
    return this.whenOpen(run);
  }

  private whenOpen<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the trade store is closed'));
    return run();
  }
}

async function insertBatch(client: pg.PoolClient, trades: readonly Trade[]): Promise<boolean[]> {
  const { rows } = await client.query<{ symbol: string; trade_id: string | null }>(INSERT_BATCH, [
    trades.map((trade) => trade.symbol),
    trades.map((trade) => trade.id ?? null),
    trades.map((trade) => trade.time),
    trades.map((trade) => trade.price),
    trades.map((trade) => trade.size),
  ]);
  // The first trade of each (symbol, id) that came back was inserted; any other with that key is a duplicate.
  const inserted = new Set(rows.filter((row) => row.trade_id !== null).map((row) => tradeKey(row.symbol, row.trade_id ?? '')));
  return trades.map((trade) => trade.id === undefined || inserted.delete(tradeKey(trade.symbol, trade.id)));
}

async function advanceOffset(client: pg.PoolClient, { symbol, expected, next }: OffsetAdvance): Promise<void> {
  const { rowCount } = expected === undefined ? await client.query(SQL.firstIngestOffset, [symbol, next]) : await client.query(SQL.advanceIngestOffset, [next, symbol, expected]);
  if (rowCount !== 1) throw new IngestOffsetConflict(symbol);
}

function tradeKey(symbol: string, id: string): string {
  return `${symbol}\u0000${id}`;
}
