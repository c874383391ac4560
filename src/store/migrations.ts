/**
 * The schema of trade-built history (docs/architecture.md, "What the database holds"), as
 * numbered migrations applied in order on start and recorded in `schema_migrations`. One SQL
 * text serves SQLite and PostgreSQL; the few words the two spell differently come from the
 * dialect. A migration, once released, is never edited: a change is a new migration.
 */
export interface SqlDialect {
  /** The arrival-order key of `trades`: assigned by the database, increasing with each insert. */
  readonly sequenceColumn: string;
}

export const SQLITE_DIALECT: SqlDialect = { sequenceColumn: 'seq INTEGER PRIMARY KEY' };
export const POSTGRES_DIALECT: SqlDialect = { sequenceColumn: 'seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' };

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements run in one transaction with the row that records the migration. */
  statements(dialect: SqlDialect): readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'trades and bars',
    statements: (dialect) => [
      `CREATE TABLE trades (
        ${dialect.sequenceColumn},
        symbol TEXT NOT NULL,
        trade_id TEXT,
        time BIGINT NOT NULL,
        price DOUBLE PRECISION NOT NULL,
        size DOUBLE PRECISION NOT NULL
      )`,
      // NULLs are distinct in a unique index in both databases: trades without an id never collide.
      'CREATE UNIQUE INDEX trades_symbol_trade_id ON trades (symbol, trade_id)',
      // Recovery reads one symbol's recent trades; the prune deletes by time across symbols.
      'CREATE INDEX trades_symbol_time ON trades (symbol, time)',
      'CREATE INDEX trades_time ON trades (time)',
      `CREATE TABLE bars (
        symbol TEXT NOT NULL,
        resolution TEXT NOT NULL,
        time BIGINT NOT NULL,
        open DOUBLE PRECISION NOT NULL,
        high DOUBLE PRECISION NOT NULL,
        low DOUBLE PRECISION NOT NULL,
        close DOUBLE PRECISION NOT NULL,
        volume DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (symbol, resolution, time)
      )`,
      'CREATE INDEX bars_time ON bars (time)',
    ],
  },
  {
    version: 2,
    name: 'import checkpoints',
    statements: () => [
      // One row per imported file (first keyed by path, size and mtime; by the path alone from 3 on);
      // `offset_bytes` and `line` are where the last committed batch ended, `ranges` (JSON)
      // the time span of each symbol's imported trades.
      `CREATE TABLE imports (
        file_key TEXT PRIMARY KEY,
        offset_bytes BIGINT NOT NULL,
        line BIGINT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        ranges TEXT NOT NULL DEFAULT '{}'
      )`,
    ],
  },
  {
    version: 3,
    name: 'import checkpoints by path and committed prefix',
    // file_key becomes the file's path alone; the digest of the bytes before offset_bytes tells
    // a file that only grew (or changed after its checkpoint) from one rewritten before it.
    statements: () => ["ALTER TABLE imports ADD COLUMN prefix_sha256 TEXT NOT NULL DEFAULT ''"],
  },
  {
    version: 4,
    name: 'ingest stream offsets',
    // With Redis (docs/architecture.md, "With Redis"): the id of the last entry of each symbol's
    // trade stream whose trades are committed, written in the same transaction as the trades.
    statements: () => ['CREATE TABLE ingest_offsets (symbol TEXT PRIMARY KEY, stream_id TEXT NOT NULL)'],
  },
];

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** The migrations not yet applied, oldest first; throws on a database newer than this code. */
export function pendingMigrations(applied: readonly number[], migrations: readonly Migration[] = MIGRATIONS): readonly Migration[] {
  const latest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const newer = applied.filter((version) => version > latest);
  if (newer.length > 0) {
    throw new Error(`the database has schema version ${Math.max(...newer)}, newer than this barcast knows (${latest}): upgrade barcast, or use another database`);
  }
  const done = new Set(applied);
  return migrations.filter((migration) => !done.has(migration.version)).sort((a, b) => a.version - b.version);
}
