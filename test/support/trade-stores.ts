import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportStore } from '../../src/store/import-store.js';
import { openSqliteTradeStore } from '../../src/store/sqlite-trade-store.js';
import type { TradeStore } from '../../src/store/trade-store.js';

/** One kind of store on a real database, fresh for every test (`open`), or the same one again (`reopen`). */
export interface StoreFactory {
  readonly name: string;
  open(): Promise<TradeStore & ImportStore>;
  reopen(): Promise<TradeStore & ImportStore>;
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

export function storeFactories(): StoreFactory[] {
  return [sqliteStoreFactory()];
}
