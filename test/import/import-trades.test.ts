import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import type { RequestError } from '../../src/domain/errors.js';
import { ImportError, importTrades } from '../../src/import/import-trades.js';
import { storeFactories, type AnyStore, type StoreFactory } from '../support/trade-stores.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 14, 30); // a Monday, 14:30 UTC
const NOW = Date.UTC(2026, 1, 10); // every period of January has closed by then

const factories = storeFactories();
afterAll(async () => {
  for (const factory of factories) await factory.dispose();
});

describe.each(factories)('barcast import into $name', (factory: StoreFactory) => {
  let store: AnyStore;
  let dir: string;
  beforeEach(async () => {
    store = await factory.open();
    dir = mkdtempSync(join(tmpdir(), 'barcast-import-'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const csv = (name: string, lines: readonly string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };

  it('imports every good line, reports each bad one with its line number, and counts duplicates', async () => {
    const file = csv('trades.csv', [
      'symbol,price,size,time,id',
      `AAPL,100,1,${T0},a1`,
      `AAPL,abc,1,${T0},a2`,
      '',
      `AAPL,101,2,${T0 + 1000},a3`,
      `AAPL,102,1,${T0 + 2000},a1`,
      `MSFT,50,-1,${T0},m1`,
      `MSFT,51,3,${T0},`,
    ]);
    const bad: [number, RequestError['code']][] = [];
    const summary = await importTrades({ file, store, resolutions: ['1'], now: () => NOW, onBadLine: (line, error) => bad.push([line, error.code]) });
    expect(bad).toEqual([
      [3, 'INVALID_PRICE'],
      [7, 'NEGATIVE_SIZE'],
    ]);
    expect(summary).toMatchObject({ resumedAfterLine: 0, alreadyDone: false, lines: 6, imported: 3, duplicates: 1, badLines: 2 });
    expect((await store.tradesSince('AAPL', 0)).map((trade) => trade.id)).toEqual(['a1', 'a3']);
    expect((await store.tradesSince('MSFT', 0)).map((trade) => trade.size)).toEqual([3]);
  });

  it('builds the final bars of every configured resolution and of 1 from the imported trades', async () => {
    const file = csv('bars.csv', [
      'time,symbol,price,size',
      // Out of order on purpose: open and close follow trade time, not file order.
      `${T0 + 30_000},AAPL,105,1`,
      `${T0},AAPL,100,2`,
      `${T0 + 59_999},AAPL,99,1`,
      `${T0 + 4 * MINUTE},AAPL,110,5`,
      `${T0 + 6 * MINUTE},AAPL,90,1`,
    ]);
    const summary = await importTrades({ file, store, resolutions: ['5', '1D', '1W', '1M'], now: () => NOW, batchSize: 2 });
    const bar = (time: number, open: number, high: number, low: number, close: number, volume: number): Bar => ({ time, open, high, low, close, volume });
    expect(await store.bars('AAPL', '1', 0, NOW, 100)).toEqual([
      bar(T0, 100, 105, 99, 99, 4),
      bar(T0 + 4 * MINUTE, 110, 110, 110, 110, 5),
      bar(T0 + 6 * MINUTE, 90, 90, 90, 90, 1),
    ]);
    expect(await store.bars('AAPL', '5', 0, NOW, 100)).toEqual([bar(T0, 100, 110, 99, 110, 9), bar(T0 + 5 * MINUTE, 90, 90, 90, 90, 1)]);
    expect(await store.bars('AAPL', '1D', 0, NOW, 100)).toEqual([bar(Date.UTC(2026, 0, 5), 100, 110, 90, 90, 10)]);
    expect(await store.bars('AAPL', '1W', 0, NOW, 100)).toEqual([bar(Date.UTC(2026, 0, 5), 100, 110, 90, 90, 10)]); // a Monday
    expect(await store.bars('AAPL', '1M', 0, NOW, 100)).toEqual([bar(Date.UTC(2026, 0, 1), 100, 110, 90, 90, 10)]);
    expect(summary.bars).toBe(8);
  });

  it('builds no bar for a period that has not closed yet (the server builds it from the stored trades)', async () => {
    const file = csv('open.csv', ['symbol,price,size,time', `AAPL,1,1,${T0}`, `AAPL,2,1,${T0 + MINUTE + 5}`]);
    await importTrades({ file, store, resolutions: ['1D'], now: () => T0 + MINUTE + 10 });
    expect((await store.bars('AAPL', '1', 0, NOW, 10)).map((b) => b.time)).toEqual([T0]);
    expect(await store.bars('AAPL', '1D', 0, NOW, 10)).toEqual([]);
    expect(await store.tradesSince('AAPL', 0)).toHaveLength(2);
  });

  it('rebuilds a minute from all its stored trades, the live ones included', async () => {
    await store.appendTrades([{ symbol: 'AAPL', price: 200, size: 1, time: T0 + 10 }]);
    const file = csv('more.csv', ['symbol,price,size,time', `AAPL,100,1,${T0}`]);
    await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    expect(await store.bars('AAPL', '1', 0, NOW, 10)).toEqual([{ time: T0, open: 100, high: 200, low: 100, close: 200, volume: 2 }]);
  });

  it('does nothing for a file it has imported already', async () => {
    const file = csv('once.csv', ['symbol,price,size,time', `AAPL,1,1,${T0}`]);
    await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    const again = await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    expect(again).toMatchObject({ alreadyDone: true, imported: 0 });
    expect(await store.tradesSince('AAPL', 0)).toHaveLength(1); // no id: only the checkpoint kept it from a second copy
  });

  it('resumes after an interruption exactly after its last commit: trades without an id are not doubled', async () => {
    const lines = Array.from({ length: 1_000 }, (_, i) => `AAPL,${100 + (i % 10)},1,${T0 + i * 100}`);
    const file = csv('big.csv', ['symbol,price,size,time', ...lines]);
    let batches = 0;
    const failing: AnyStore = Object.create(store, {
      appendImportBatch: {
        value: (...args: Parameters<AnyStore['appendImportBatch']>) => {
          batches += 1;
          return batches === 4 ? Promise.reject(new Error('the machine lost power')) : store.appendImportBatch(...args);
        },
      },
    });
    await expect(importTrades({ file, store: failing, resolutions: ['1'], now: () => NOW, batchSize: 100 })).rejects.toThrow(/lost power/);
    expect(await store.tradesSince('AAPL', 0)).toHaveLength(300);

    const resumed = await importTrades({ file, store, resolutions: ['1', '5'], now: () => NOW, batchSize: 100 });
    expect(resumed).toMatchObject({ resumedAfterLine: 301, imported: 700, duplicates: 0, lines: 700 });
    const stored = await store.tradesSince('AAPL', 0);
    expect(stored.map((trade) => trade.time)).toEqual(lines.map((_, i) => T0 + i * 100));
    // The bars cover the whole file, the part before the interruption too.
    const minutes = await store.bars('AAPL', '1', 0, NOW, 100);
    expect(minutes.map((b) => b.time)).toEqual([0, 1].map((i) => T0 + i * MINUTE));
    expect(minutes.reduce((sum, b) => sum + b.volume, 0)).toBe(1_000);
  });

  it('stops at the first bad line with --strict, keeping what it committed', async () => {
    const file = csv('strict.csv', ['symbol,price,size,time', `AAPL,1,1,${T0}`, `AAPL,1,1,${T0 + 1}`, 'AAPL,x,1,1', `AAPL,1,1,${T0 + 2}`]);
    await expect(importTrades({ file, store, resolutions: ['1'], now: () => NOW, batchSize: 1, strict: true })).rejects.toThrow(
      new ImportError('line 4: INVALID_PRICE: price "x" is not a number (stopped by --strict; lines 1-3 are committed: fix the line and run again to resume after them)'),
    );
    expect(await store.tradesSince('AAPL', 0)).toHaveLength(2);
    // Fixed after the checkpoint: the bytes before it are the same, so the import goes on from there.
    writeFileSync(file, `symbol,price,size,time\nAAPL,1,1,${T0}\nAAPL,1,1,${T0 + 1}\nAAPL,2,1,${T0 + 3}\nAAPL,1,1,${T0 + 2}\n`);
    const resumed = await importTrades({ file, store, resolutions: ['1'], now: () => NOW, batchSize: 1, strict: true });
    expect(resumed).toMatchObject({ resumedAfterLine: 3, changedSinceCheckpoint: false, lines: 2, imported: 2, badLines: 0 });
    expect((await store.tradesSince('AAPL', 0)).map((trade) => trade.time)).toEqual([T0, T0 + 1, T0 + 3, T0 + 2]);
  });

  it('imports only the lines appended to a file it imported before, and their bars', async () => {
    const file = csv('daily.csv', ['symbol,price,size,time', `AAPL,1,1,${T0}`, `AAPL,2,1,${T0 + 1}`]);
    await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    writeFileSync(file, `symbol,price,size,time\nAAPL,1,1,${T0}\nAAPL,2,1,${T0 + 1}\nAAPL,3,1,${T0 + MINUTE}\n`);
    const grown = await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    expect(grown).toMatchObject({ resumedAfterLine: 3, alreadyDone: false, changedSinceCheckpoint: false, lines: 1, imported: 1, bars: 1 });
    expect((await store.tradesSince('AAPL', 0)).map((trade) => trade.price)).toEqual([1, 2, 3]);
    expect((await store.bars('AAPL', '1', 0, NOW, 10)).map((b) => [b.time, b.close])).toEqual([
      [T0, 2],
      [T0 + MINUTE, 3],
    ]);
  });

  it('imports a file again from the top when its bytes before the checkpoint changed', async () => {
    const file = csv('rewritten.csv', ['symbol,price,size,time,id', `AAPL,1,1,${T0},a`, `AAPL,2,1,${T0 + 1},b`]);
    await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    writeFileSync(file, `symbol,price,size,time,id\nAAPL,1,1,${T0},a\nAAPL,5,1,${T0 + 2},c\n`);
    const again = await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    expect(again).toMatchObject({ resumedAfterLine: 0, changedSinceCheckpoint: true, lines: 2, imported: 1, duplicates: 1 });
  });

  it('does not resume in the middle of a last line that had no line break and then grew', async () => {
    const file = join(dir, 'unterminated.csv');
    writeFileSync(file, `symbol,price,size,time,id\nAAPL,1,1,${T0},a\nAAPL,2,1,${T0 + 1},b`);
    await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    writeFileSync(file, `symbol,price,size,time,id\nAAPL,1,1,${T0},a\nAAPL,2,1,${T0 + 1},b2\n`);
    const again = await importTrades({ file, store, resolutions: ['1'], now: () => NOW });
    expect(again).toMatchObject({ resumedAfterLine: 0, changedSinceCheckpoint: true, imported: 1, duplicates: 1 });
    expect((await store.tradesSince('AAPL', 0)).map((trade) => trade.id)).toEqual(['a', 'b', 'b2']);
  });

  it('refuses a file without the header', async () => {
    const file = csv('headless.csv', [`AAPL,1,1,${T0}`]);
    await expect(importTrades({ file, store, resolutions: ['1'] })).rejects.toThrow(/line 1: the header must name the columns symbol,price,size,time\[,id\]/);
    writeFileSync(join(dir, 'empty.csv'), '');
    await expect(importTrades({ file: join(dir, 'empty.csv'), store, resolutions: ['1'] })).rejects.toThrow(/empty/);
  });
});
