import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Trade } from '../../src/domain/trade.js';
import { openSqliteTradeStore, WAL_BACKSTOP_PAGES } from '../../src/store/sqlite-trade-store.js';
import { openTradeStore, SQLITE_FILE_NAME } from '../../src/store/open-trade-store.js';
import { openSqliteWorkerTradeStore } from '../../src/store/sqlite-worker-store.js';
import type { TradeStore } from '../../src/store/trade-store.js';

const PAGE = 4096;
const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
let sent = 0;
const batch = (count: number): Trade[] => Array.from({ length: count }, () => ({ symbol: 'ACME', price: 100 + (sent % 7), size: 1, time: 1_000 + sent, id: `trade-${(sent += 1)}` }));
/** Appends batches of 250 until `enough` says so (or 200,000 trades: then the test fails); returns how many, and the WAL's largest size meanwhile. */
async function appendUntil(store: TradeStore, file: string, enough: (appended: number) => boolean): Promise<{ appended: number; walMax: number }> {
  let walMax = 0;
  let appended = 0;
  for (; !enough(appended); appended += 250) {
    if (appended >= 200_000) throw new Error('200,000 trades appended and still not there');
    await store.appendTrades(batch(250));
    walMax = Math.max(walMax, sizeOf(`${file}-wal`));
  }
  return { appended, walMax };
}

// What the worker store and the checkpoint thread add to the contract (test/store/trade-store-contract.test.ts runs that).
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

  it.each(['worker', 'main'] as const)('checkpoints the WAL on a thread of its own, long before the writer would (SQLITE_THREAD=%s)', async (sqliteThread) => {
    const file = join(dir, SQLITE_FILE_NAME);
    const store = await openTradeStore({ dataDir: dir, databaseUrl: '', sync: 'normal', sqliteThread });
    try {
      // 2,000 pages of WAL written: past SQLite's own 1,000, well short of the writer's backstop.
      const empty = sizeOf(file);
      const { walMax } = await appendUntil(store, file, () => sizeOf(`${file}-wal`) + sizeOf(file) >= 2_000 * PAGE);
      expect(walMax).toBeLessThan(WAL_BACKSTOP_PAGES * PAGE);
      // Only a checkpoint moves pages into the database file, and only the checkpointer's thread checkpoints below the backstop.
      for (const deadline = Date.now() + 5_000; sizeOf(file) < empty + 100 * PAGE && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sizeOf(file)).toBeGreaterThanOrEqual(empty + 100 * PAGE);
    } finally {
      await store.close();
    }
  });

  it('leaves the writer, when the checkpoints are elsewhere, only the backstop that bounds the WAL', async () => {
    const file = join(dir, 'barcast.sqlite');
    // In this thread and with no checkpointer: what the worker's writer does on its own.
    const store = openSqliteTradeStore({ file, sync: 'normal', checkpoints: 'background' });
    try {
      const empty = sizeOf(file);
      const first = await appendUntil(store, file, () => sizeOf(file) > empty);
      const dbAtFirstCheckpoint = sizeOf(file);
      // Not at SQLite's 1,000 pages: at the backstop.
      expect(first.walMax).toBeGreaterThanOrEqual((WAL_BACKSTOP_PAGES - 100) * PAGE);
      // And from then on the WAL starts over instead of growing.
      const after = await appendUntil(store, file, (appended) => appended >= 3 * first.appended);
      expect(after.walMax).toBeLessThan((WAL_BACKSTOP_PAGES + 200) * PAGE);
      expect(sizeOf(file)).toBeGreaterThan(2 * dbAtFirstCheckpoint);
    } finally {
      await store.close();
    }
  });
});
