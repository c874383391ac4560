import { join } from 'node:path';
import type { ImportStore } from './import-store.js';
import { openPostgresTradeStore } from './postgres-trade-store.js';
import { openSqliteTradeStore } from './sqlite-trade-store.js';
import { withCheckpointThread } from './sqlite-checkpoint-thread.js';
import { openSqliteWorkerTradeStore } from './sqlite-worker-store.js';
import type { TradeStore } from './trade-store.js';

/** What picks and opens a store: the `store` config group (src/config/schema/store.ts) fits it. */
export interface StoreSettings {
  /** Folder of the SQLite file, when `databaseUrl` is empty. */
  readonly dataDir: string;
  /** A postgres:// URL, or empty for SQLite. */
  readonly databaseUrl: string;
  readonly sync: 'normal' | 'full';
  /** SQLITE_THREAD: SQLite on its worker thread (default), or on the calling one. */
  readonly sqliteThread?: 'worker' | 'main';
}

/** The SQLite file under DATA_DIR. */
export const SQLITE_FILE_NAME = 'barcast.sqlite';

/**
 * Opens the store the settings name, migrated and ready: PostgreSQL when DATABASE_URL is
 * set, else SQLite in DATA_DIR (created if missing), on its own thread (sqlite-worker-store.ts:
 * its commits never hold the event loop) or, with SQLITE_THREAD=main, on this one; either way
 * with the WAL's checkpoints on a thread of their own. The one place that knows there are two.
 */
export async function openTradeStore(settings: StoreSettings): Promise<TradeStore & ImportStore> {
  if (settings.databaseUrl !== '') return openPostgresTradeStore({ connectionString: settings.databaseUrl });
  const options = { file: join(settings.dataDir, SQLITE_FILE_NAME), sync: settings.sync };
  if (settings.sqliteThread !== 'main') return openSqliteWorkerTradeStore(options);
  // On this thread, the checkpoints still on their own: a commit then never copies the WAL (docs/architecture.md).
  return withCheckpointThread(openSqliteTradeStore({ ...options, checkpoints: 'background' }), options.file);
}
