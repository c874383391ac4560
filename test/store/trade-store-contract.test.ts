import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import type { Trade } from '../../src/domain/trade.js';
import type { ImportStore } from '../../src/store/import-store.js';
import { IngestOffsetConflict } from '../../src/store/ingest-offset-conflict.js';
import { configureConnection, openSqliteTradeStore } from '../../src/store/sqlite-trade-store.js';
import type { TradeStore } from '../../src/store/trade-store.js';
import { storeFactories, type StoreFactory } from '../support/trade-stores.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30);
const trade = (overrides: Partial<Trade> = {}): Trade => ({ symbol: 'AAPL', price: 100, size: 1, time: T0, ...overrides });
const bar = (time: number, close = 100): Bar => ({ time, open: 100, high: 101, low: 99, close, volume: 10 });

const factories = storeFactories();
afterAll(async () => {
  for (const factory of factories) await factory.dispose();
});

/** The TradeStore contract, written once and run against every store on a real database. */
describe.each(factories)('TradeStore contract: $name', (factory: StoreFactory) => {
  let store: TradeStore & ImportStore;
  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('stores trades in one call and reads them back in arrival order, with increasing seq', async () => {
    const trades = [trade({ id: 'a', time: T0 + 2, price: 101 }), trade({ time: T0, price: 100.5 }), trade({ id: 'b', time: T0 + 1, size: 2.5 })];
    expect(await store.appendTrades(trades)).toEqual([true, true, true]);
    const stored = await store.tradesSince('AAPL', T0);
    expect(stored.map(({ seq: _seq, ...rest }) => rest)).toEqual(trades);
    const seqs = stored.map((row) => row.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(3);
  });

  it('writes nothing of a batch that fails part-way', async () => {
    await store.appendTrades([trade({ id: 'before' })]);
    await expect(store.appendTrades([trade({ id: 'good' }), trade({ id: 'broken', time: Number.NaN })])).rejects.toThrow();
    expect((await store.tradesSince('AAPL', 0)).map((row) => row.id)).toEqual(['before']);
    expect(store.health()).toEqual({ writable: true }); // bad data is not an unavailable store
    expect(await store.appendTrades([trade({ id: 'good' })])).toEqual([true]);
  });

  it('answers an empty batch with an empty list', async () => {
    expect(await store.appendTrades([])).toEqual([]);
  });

  it('reports a trade whose symbol and id are stored already as a duplicate and does not store it again', async () => {
    expect(await store.appendTrades([trade({ id: 'x1' })])).toEqual([true]);
    expect(await store.appendTrades([trade({ id: 'x1', price: 999 }), trade({ id: 'x2' })])).toEqual([false, true]);
    expect((await store.tradesSince('AAPL', 0)).map((row) => [row.id, row.price])).toEqual([
      ['x1', 100],
      ['x2', 100],
    ]);
  });

  it('reports the second of two trades with the same id in one batch as a duplicate', async () => {
    expect(await store.appendTrades([trade({ id: 'same', price: 1 }), trade({ id: 'other' }), trade({ id: 'same', price: 2 })])).toEqual([true, true, false]);
    expect((await store.tradesSince('AAPL', 0)).map((row) => row.price)).toEqual([1, 100]);
  });

  it('dedups per symbol: the same id under two symbols is two trades', async () => {
    expect(await store.appendTrades([trade({ id: '7' }), trade({ symbol: 'MSFT', id: '7' })])).toEqual([true, true]);
  });

  it('never treats trades without an id as duplicates', async () => {
    expect(await store.appendTrades([trade(), trade()])).toEqual([true, true]);
    expect(await store.appendTrades([trade()])).toEqual([true]);
    expect(await store.tradesSince('AAPL', 0)).toHaveLength(3);
  });

  it('reads trades of one symbol at or after a time only', async () => {
    await store.appendTrades([trade({ time: T0 - 1 }), trade({ time: T0 }), trade({ symbol: 'MSFT', time: T0 + 5 }), trade({ time: T0 + 9 })]);
    expect((await store.tradesSince('AAPL', T0)).map((row) => row.time)).toEqual([T0, T0 + 9]);
    expect(await store.tradesSince('GOOGL', 0)).toEqual([]);
  });

  it('keeps prices, sizes and times exactly as given', async () => {
    const exact = trade({ price: 0.1 + 0.2, size: 1e-8, time: Date.UTC(2099, 11, 31, 23, 59, 59, 999), id: 'ü-ñ/💹' });
    await store.appendTrades([exact]);
    const [stored] = await store.tradesSince('AAPL', 0);
    expect(stored).toEqual({ ...exact, seq: stored?.seq });
  });

  it('stores final bars and reads a range oldest first, the newest ones when cut by the limit', async () => {
    const minute = 60_000;
    await store.saveBars([0, 1, 2, 3].map((i) => ({ symbol: 'AAPL', resolution: '1', bar: bar(T0 + i * minute, 100 + i) })));
    await store.saveBars([{ symbol: 'AAPL', resolution: '5', bar: bar(T0) }, { symbol: 'MSFT', resolution: '1', bar: bar(T0) }]);
    expect((await store.bars('AAPL', '1', T0, T0 + 4 * minute, 100)).map((b) => b.close)).toEqual([100, 101, 102, 103]);
    expect((await store.bars('AAPL', '1', T0 + minute, T0 + 3 * minute, 100)).map((b) => b.close)).toEqual([101, 102]);
    expect((await store.bars('AAPL', '1', 0, T0 + 10 * minute, 2)).map((b) => b.close)).toEqual([102, 103]);
    expect(await store.bars('AAPL', '1', 0, T0 + 10 * minute, 0)).toEqual([]);
    expect(await store.bars('AAPL', '5', 0, T0 + minute, 10)).toEqual([bar(T0)]);
    expect(await store.bars('GOOGL', '1', 0, T0 + minute, 10)).toEqual([]);
  });

  it('treats saving the same bar again as a no-op, and a changed bar as its new value', async () => {
    const stored = { symbol: 'AAPL', resolution: '1' as const, bar: bar(T0) };
    await store.saveBars([stored]);
    await store.saveBars([stored]);
    expect(await store.bars('AAPL', '1', 0, T0 + 1, 10)).toEqual([bar(T0)]);
    await store.saveBars([{ ...stored, bar: bar(T0, 100.5) }]);
    expect(await store.bars('AAPL', '1', 0, T0 + 1, 10)).toEqual([bar(T0, 100.5)]);
  });

  it('answers the latest final bar of a topic, or undefined', async () => {
    expect(await store.lastBar('AAPL', '1')).toBeUndefined();
    await store.saveBars([bar(T0 + 120_000), bar(T0), bar(T0 + 60_000)].map((b) => ({ symbol: 'AAPL', resolution: '1', bar: b })));
    await store.saveBars([{ symbol: 'AAPL', resolution: '5', bar: bar(T0 + 600_000) }]);
    expect(await store.lastBar('AAPL', '1')).toEqual(bar(T0 + 120_000));
  });

  it('prunes trades and bars older than their cut-offs and says how many went', async () => {
    await store.appendTrades([trade({ time: T0 - 2 }), trade({ time: T0 - 1, id: 'old' }), trade({ time: T0 })]);
    await store.saveBars([bar(T0 - 60_000), bar(T0)].map((b) => ({ symbol: 'AAPL', resolution: '1', bar: b })));
    expect(await store.prune(T0, T0)).toEqual({ trades: 2, bars: 1 });
    expect((await store.tradesSince('AAPL', 0)).map((row) => row.time)).toEqual([T0]);
    expect(await store.bars('AAPL', '1', 0, T0 + 1, 10)).toEqual([bar(T0)]);
    expect(await store.prune(T0, T0)).toEqual({ trades: 0, bars: 0 });
    // A pruned trade's id is free again: it is history, no longer a duplicate.
    expect(await store.appendTrades([trade({ id: 'old' })])).toEqual([true]);
  });

  it('prunes more rows than one delete chunk', async () => {
    const many = Array.from({ length: 25_000 }, (_, i) => trade({ time: T0 - 1_000_000 + i }));
    await store.appendTrades(many);
    expect(await store.prune(T0, 0)).toEqual({ trades: 25_000, bars: 0 });
  });

  it('is writable while writes succeed', async () => {
    await store.appendTrades([trade()]);
    expect(store.health()).toEqual({ writable: true });
  });

  it('keeps what it committed across a close and a reopen, and migrates only once', async () => {
    await store.appendTrades([trade({ id: 'kept' })]);
    await store.saveBars([{ symbol: 'AAPL', resolution: '1D', bar: bar(Date.UTC(2026, 0, 5)) }]);
    await store.close();
    store = await factory.reopen();
    expect((await store.tradesSince('AAPL', 0)).map((row) => row.id)).toEqual(['kept']);
    expect(await store.appendTrades([trade({ id: 'kept' })])).toEqual([false]);
    expect(await store.lastBar('AAPL', '1D')).toEqual(bar(Date.UTC(2026, 0, 5)));
  });

  it('moves a symbol\'s ingest offset in the transaction of its trades, from the value the caller read', async () => {
    expect(await store.ingestOffset('AAPL')).toBeUndefined();
    expect(await store.appendTrades([trade({ id: 'o1' })], [{ symbol: 'AAPL', expected: undefined, next: '1700000000000-0' }])).toEqual([true]);
    expect(await store.ingestOffset('AAPL')).toBe('1700000000000-0');
    await store.appendTrades([trade({ id: 'o2' })], [{ symbol: 'AAPL', expected: '1700000000000-0', next: '1700000000001-3' }]);
    expect(await store.ingestOffset('AAPL')).toBe('1700000000001-3');
    // An advance alone (every trade of the entries refused) still moves it.
    await store.appendTrades([], [{ symbol: 'AAPL', expected: '1700000000001-3', next: '1700000000002-0' }]);
    expect(await store.ingestOffset('AAPL')).toBe('1700000000002-0');
    expect(await store.ingestOffset('MSFT')).toBeUndefined();
  });

  it('writes nothing when the offset moved since the caller read it: two leaders never both commit an entry', async () => {
    await store.appendTrades([trade({ id: 'first' })], [{ symbol: 'AAPL', expected: undefined, next: '5-0' }]);
    // Both read 5-0; the first commits, the second's transaction must fail whole.
    await store.appendTrades([trade({ id: 'winner' })], [{ symbol: 'AAPL', expected: '5-0', next: '6-0' }]);
    const lost = store.appendTrades([trade({ id: 'loser' })], [{ symbol: 'AAPL', expected: '5-0', next: '6-0' }]);
    // Its class, not only its name: the ingest tells a lost race by instanceof (it crosses the SQLite worker's thread too).
    await expect(lost).rejects.toBeInstanceOf(IngestOffsetConflict);
    await expect(lost).rejects.toMatchObject({ symbol: 'AAPL' });
    // A second first writer (nothing read) loses too.
    await expect(store.appendTrades([trade({ id: 'late' })], [{ symbol: 'AAPL', expected: undefined, next: '7-0' }])).rejects.toMatchObject({ name: 'IngestOffsetConflict' });
    expect((await store.tradesSince('AAPL', 0)).map((row) => row.id)).toEqual(['first', 'winner']);
    expect(await store.ingestOffset('AAPL')).toBe('6-0');
    expect(store.health()).toEqual({ writable: true });
  });

  it('refuses calls after close', async () => {
    await store.close();
    await expect(store.appendTrades([trade()])).rejects.toThrow(/closed/);
    await store.close(); // a second close is harmless
    store = await factory.reopen();
  });

  it('commits an import batch and its checkpoint together, and reads trades in time order page by page', async () => {
    expect(await store.importCheckpoint('f|1|2')).toBeUndefined();
    const checkpoint = { offset: 120, line: 4, done: false, ranges: { AAPL: [T0, T0 + 5] as const }, prefixSha256: 'ab'.repeat(32) };
    const batch = [trade({ time: T0 + 5, id: 'c' }), trade({ time: T0, id: 'a' }), trade({ time: T0 + 5, id: 'd' }), trade({ time: T0, id: 'a' })];
    expect(await store.appendImportBatch('f|1|2', batch, checkpoint)).toEqual([true, true, true, false]);
    expect(await store.importCheckpoint('f|1|2')).toEqual(checkpoint);
    await store.saveImportCheckpoint('f|1|2', { ...checkpoint, done: true });
    expect((await store.importCheckpoint('f|1|2'))?.done).toBe(true);

    const first = await store.tradesInTimeOrder('AAPL', T0, T0 + 6, undefined, 2);
    expect(first.map((row) => row.id)).toEqual(['a', 'c']);
    const last = first[first.length - 1];
    const rest = await store.tradesInTimeOrder('AAPL', T0, T0 + 6, last && { time: last.time, seq: last.seq }, 2);
    expect(rest.map((row) => row.id)).toEqual(['d']);
    expect(await store.tradesInTimeOrder('AAPL', T0 + 1, T0 + 5, undefined, 10)).toEqual([]);
  });
});

describe('SQLite store file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'barcast-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its folder, runs in WAL mode and records each migration once', async () => {
    const file = join(dir, 'nested', 'more', 'barcast.sqlite');
    const store = openSqliteTradeStore({ file, sync: 'normal' });
    await store.close();
    openSqliteTradeStore({ file, sync: 'full' }).close();
    const Database = (await import('libsql')).default;
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: 'trades and bars' },
      { version: 2, name: 'import checkpoints' },
      { version: 3, name: 'import checkpoints by path and committed prefix' },
      { version: 4, name: 'ingest stream offsets' },
    ]);
    db.close();
  });

  it.each([
    ['normal', 1],
    ['full', 2],
  ] as const)('under INGEST_SYNC=%s commits with synchronous level %s, in WAL mode, waiting for other writers', async (sync, level) => {
    const Database = (await import('libsql')).default;
    const db = new Database(join(dir, `${sync}.sqlite`));
    configureConnection(db, sync);
    // The driver answers a pragma with its rows, whatever `simple` says.
    expect(db.pragma('synchronous')).toMatchObject([{ synchronous: level }]);
    expect(db.pragma('journal_mode')).toMatchObject([{ journal_mode: 'wal' }]);
    expect(db.pragma('busy_timeout')).toMatchObject([{ timeout: 5_000 }]);
    db.close();
  });

  it('refuses a database whose schema is newer than this code', async () => {
    const file = join(dir, 'barcast.sqlite');
    openSqliteTradeStore({ file, sync: 'normal' }).close();
    const Database = (await import('libsql')).default;
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('from the future');
    db.close();
    expect(() => openSqliteTradeStore({ file, sync: 'normal' })).toThrow(/schema version 99, newer than this barcast knows/);
  });
});
