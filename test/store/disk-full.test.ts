import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trade } from '../../src/domain/trade.js';
import { openSqliteTradeStore } from '../../src/store/sqlite-trade-store.js';
import { openSqliteWorkerTradeStore } from '../../src/store/sqlite-worker-store.js';
import { StoreUnavailableError } from '../../src/store/store-unavailable.js';
import type { AnyStore } from '../support/trade-stores.js';
import { canMountTmpfs, fillDisk, mountTinyDisk, unmountTinyDisk } from '../support/tiny-disk.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30);
const trades = (from: number, count: number): Trade[] =>
  Array.from({ length: count }, (_, i) => ({ symbol: 'AAPL', price: 100 + i / 100, size: 1, time: T0 + from + i, id: `t${from + i}` }));

/*
 * A real full disk: a 4 MB tmpfs mounted for this test, which needs root (CI and the
 * development container run as root). Elsewhere it is skipped, saying so.
 */
// In this thread, and on the worker thread the server uses (the refusal crosses it with its reason).
const openers = [
  { where: 'in this thread', open: async (file: string): Promise<AnyStore> => openSqliteTradeStore({ file, sync: 'normal' }) },
  { where: 'on a worker thread', open: (file: string): Promise<AnyStore> => openSqliteWorkerTradeStore({ file, sync: 'normal' }) },
];

describe.skipIf(!canMountTmpfs).each(openers)('the SQLite store $where on a full disk (a 4 MB tmpfs; needs root to mount it)', ({ open }) => {
  let dir: string;
  let store: AnyStore;
  beforeAll(async () => {
    dir = mountTinyDisk('barcast-full-');
    store = await open(join(dir, 'barcast.sqlite'));
  });
  afterAll(async () => {
    await store?.close();
    unmountTinyDisk(dir);
  });

  it('refuses writes with a clear error and is not writable, keeps serving reads, and recovers when space is freed', async () => {
    expect(await store.appendTrades(trades(0, 100))).toHaveLength(100);
    await store.saveBars([{ symbol: 'AAPL', resolution: '1', bar: { time: T0, open: 1, high: 2, low: 1, close: 2, volume: 3 } }]);
    const filler = fillDisk(dir);

    // Larger than the WAL so far, so it needs new blocks of the file system.
    const refused = store.appendTrades(trades(1_000, 30_000));
    await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(refused).rejects.toThrow(/^the trade store cannot take writes: disk full \(SQLITE_FULL/);
    expect(store.health()).toEqual({ writable: false, reason: expect.stringMatching(/^disk full/) });

    // Reads go on: everything committed before, nothing of the refused batch.
    const stored = await store.tradesSince('AAPL', 0);
    expect(stored).toHaveLength(100);
    expect(await store.lastBar('AAPL', '1')).toMatchObject({ time: expect.any(Number) });
    expect(await store.bars('AAPL', '1', 0, T0 + 1, 10)).toHaveLength(1);

    unlinkSync(filler);
    expect(await store.appendTrades(trades(1_000, 30_000))).toHaveLength(30_000);
    expect(store.health()).toEqual({ writable: true });
    expect(await store.tradesSince('AAPL', 0)).toHaveLength(30_100);
  });
});
