import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Trade } from '../../src/domain/trade.js';
import { openSqliteWorkerTradeStore } from '../../src/store/sqlite-worker-store.js';

// What the worker store adds to the contract (test/store/trade-store-contract.test.ts runs that).
describe('the SQLite store on a worker thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'barcast-worker-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails to open with the reason when the database cannot be created', async () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, '');
    await expect(openSqliteWorkerTradeStore({ file: join(notAFolder, 'barcast.sqlite'), sync: 'normal' })).rejects.toThrow(/EEXIST|ENOTDIR/);
  });

  it('refuses a call whose arguments cannot cross to the worker, and goes on with the next', async () => {
    const store = await openSqliteWorkerTradeStore({ file: join(dir, 'barcast.sqlite'), sync: 'normal' });
    try {
      const uncloneable = { symbol: 'ACME', price: 1, size: 1, time: 1, id: 'a', extra: () => 0 } as unknown as Trade;
      await expect(store.appendTrades([uncloneable])).rejects.toThrow(/could not be cloned/);
      expect(await store.appendTrades([{ symbol: 'ACME', price: 1, size: 1, time: 1, id: 'a' }])).toEqual([true]);
      expect(await store.tradesSince('ACME', 0)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('refuses calls after close', async () => {
    const store = await openSqliteWorkerTradeStore({ file: join(dir, 'barcast.sqlite'), sync: 'normal' });
    await store.close();
    await expect(store.appendTrades([{ symbol: 'ACME', price: 1, size: 1, time: 1 }])).rejects.toThrow(/closed/);
  });
});
