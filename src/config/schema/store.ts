import convict from 'convict';
import { range } from './formats.js';

/** How SQLite commits (INGEST_SYNC). */
export const STORE_SYNC_MODES = ['normal', 'full'] as const;
export type StoreSyncMode = (typeof STORE_SYNC_MODES)[number];

/** Where SQLite's statements run (SQLITE_THREAD). */
export const SQLITE_THREADS = ['worker', 'main'] as const;
export type SqliteThread = (typeof SQLITE_THREADS)[number];

convict.addFormat({
  name: 'database-url',
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('must be a string');
    if (value === '') return;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error('must be a URL such as postgres://user:password@host:5432/barcast, or empty for SQLite under DATA_DIR');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new Error(`must be a postgres:// or postgresql:// URL (got ${url.protocol}), or empty for SQLite under DATA_DIR`);
    }
  },
});

/** The `store` group: where trade-built history lives (docs/operations.md, "The trade store"). */
export const storeSchema = {
  dataDir: {
    doc: 'Folder of the SQLite database (barcast.sqlite), created at start if missing. Used when DATABASE_URL is empty.',
    format: String,
    default: './data',
    env: 'DATA_DIR',
  },
  databaseUrl: {
    doc: 'PostgreSQL connection URL (postgres://user:password@host:5432/db) to keep trade-built history there instead of SQLite; empty: SQLite.',
    format: 'database-url',
    default: '',
    env: 'DATABASE_URL',
    sensitive: true,
  },
  historyRetentionDays: {
    doc: 'Days final bars of trade-fed symbols are kept (0-36500); 0 keeps them forever.',
    format: range('int', 0, 36_500),
    default: 0,
    env: 'HISTORY_RETENTION_DAYS',
  },
  tradeRetentionHours: {
    doc: 'Hours stored trades are kept (1-876000): long enough to rebuild any bar still forming after a restart.',
    format: range('int', 1, 876_000),
    default: 48,
    env: 'INGEST_TRADE_RETENTION_HOURS',
  },
  sync: {
    doc: 'SQLite commit durability: "normal" (a killed process loses nothing committed) or "full" (an OS crash or power loss neither; slower).',
    format: STORE_SYNC_MODES,
    default: 'normal',
    env: 'INGEST_SYNC',
  },
  sqliteThread: {
    doc: 'Where SQLite commits run: "worker" (a thread of their own: a commit never holds the event loop) or "main" (on the event loop, as before the worker; fewer thread hand-offs on a machine short of cores).',
    format: SQLITE_THREADS,
    default: 'worker',
    env: 'SQLITE_THREAD',
  },
};

export interface StoreConfig {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly historyRetentionDays: number;
  readonly tradeRetentionHours: number;
  readonly sync: StoreSyncMode;
  readonly sqliteThread: SqliteThread;
}
