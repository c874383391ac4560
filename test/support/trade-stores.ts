import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportStore } from '../../src/store/import-store.js';
import { openPostgresTradeStore } from '../../src/store/postgres-trade-store.js';
import { openSqliteTradeStore } from '../../src/store/sqlite-trade-store.js';
import { openSqliteWorkerTradeStore } from '../../src/store/sqlite-worker-store.js';
import type { TradeStore } from '../../src/store/trade-store.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

export type AnyStore = TradeStore & ImportStore;

/** One kind of store on a real database: a fresh empty one for every open(), or the last one again (reopen). */
export interface StoreFactory {
  readonly name: string;
  open(): Promise<AnyStore>;
  reopen(): Promise<AnyStore>;
  dispose(): Promise<void>;
}

/**
 * A real SQLite file in a temporary folder; each open() starts a new, empty file. `onWorker`:
 * the store on its worker thread, as the server opens it (openTradeStore).
 */
export function sqliteStoreFactory({ onWorker = false }: { onWorker?: boolean } = {}): StoreFactory {
  const dir = mkdtempSync(join(tmpdir(), 'barcast-store-'));
  let n = 0;
  const file = () => join(dir, `store-${n}.sqlite`);
  const openFile = (): Promise<AnyStore> => (onWorker ? openSqliteWorkerTradeStore : async (options: Parameters<typeof openSqliteTradeStore>[0]) => openSqliteTradeStore(options))({ file: file(), sync: 'normal' });
  return {
    name: onWorker ? 'SQLite on a worker thread' : 'SQLite',
    open: async () => {
      n += 1;
      return openFile();
    },
    reopen: openFile,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A real PostgreSQL started on first use (test/support/postgres-server.ts); each open() gets a new database. */
export function postgresStoreFactory(): StoreFactory & { server(): Promise<PostgresServer> } {
  let server: Promise<PostgresServer> | undefined;
  let url = '';
  const started = () => (server ??= startPostgresServer());
  return {
    name: 'PostgreSQL',
    server: started,
    open: async () => {
      url = await (await started()).createDatabase();
      return openPostgresTradeStore({ connectionString: url });
    },
    reopen: async () => openPostgresTradeStore({ connectionString: url }),
    dispose: async () => {
      if (server) await (await server).dispose();
    },
  };
}

/** Every store, each on its real database: what a contract test runs against. */
export function storeFactories(): StoreFactory[] {
  return [sqliteStoreFactory(), sqliteStoreFactory({ onWorker: true }), postgresStoreFactory()];
}
