import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportStore } from '../../src/store/import-store.js';
import { openPostgresTradeStore } from '../../src/store/postgres-trade-store.js';
import { openSqliteTradeStore } from '../../src/store/sqlite-trade-store.js';
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

/** A real SQLite file in a temporary folder; each open() starts a new, empty file. */
export function sqliteStoreFactory(): StoreFactory {
  const dir = mkdtempSync(join(tmpdir(), 'barcast-store-'));
  let n = 0;
  const file = () => join(dir, `store-${n}.sqlite`);
  return {
    name: 'SQLite',
    open: async () => {
      n += 1;
      return openSqliteTradeStore({ file: file(), sync: 'normal' });
    },
    reopen: async () => openSqliteTradeStore({ file: file(), sync: 'normal' }),
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
  return [sqliteStoreFactory(), postgresStoreFactory()];
}
