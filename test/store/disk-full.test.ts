import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trade } from '../../src/domain/trade.js';
import { openSqliteTradeStore } from '../../src/store/sqlite-trade-store.js';
import { StoreUnavailableError } from '../../src/store/store-unavailable.js';
import type { AnyStore } from '../support/trade-stores.js';

const isRoot = process.getuid?.() === 0;
const T0 = Date.UTC(2026, 0, 5, 14, 30);
const trades = (from: number, count: number): Trade[] =>
  Array.from({ length: count }, (_, i) => ({ symbol: 'AAPL', price: 100 + i / 100, size: 1, time: T0 + from + i, id: `t${from + i}` }));

/** Fills the file system under `dir` to the last byte with one file; returns its path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (let size = block.length; size >= 1; ) {
      try {
        writeSync(fd, block, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/*
 * A real full disk: a 4 MB tmpfs mounted for this test, which needs root (CI and the
 * development container run as root). Elsewhere it is skipped, saying so.
 */
describe.skipIf(!isRoot)('the SQLite store on a full disk (a 4 MB tmpfs; needs root to mount it)', () => {
  let dir: string;
  let store: AnyStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'barcast-full-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { encoding: 'utf8' });
    if (mount.status !== 0) throw new Error(`cannot mount a tmpfs as root: ${mount.stderr}`);
    store = openSqliteTradeStore({ file: join(dir, 'barcast.sqlite'), sync: 'normal' });
  });
  afterAll(async () => {
    await store?.close();
    // Lazy: the SQLite driver lets go of a closed database's files only once its statements are
    // garbage collected, so the mount may still be in use here; -l detaches it all the same.
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses writes with a clear error and is not writable, keeps serving reads, and recovers when space is freed', async () => {
    expect(await store.appendTrades(trades(0, 100))).toHaveLength(100);
    await store.saveBars([{ symbol: 'AAPL', resolution: '1', bar: { time: T0, open: 1, high: 2, low: 1, close: 2, volume: 3 } }]);
    const filler = fill(dir);

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
