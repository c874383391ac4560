import { describe, expect, it } from 'vitest';
import type { Trade } from '../../src/domain/trade.js';
import { Ingest, type IngestOptions } from '../../src/ingest/ingest.js';
import { AdmissionWatermark } from '../../src/streams/trade-watermark.js';
import { MemoryTradeStore } from '../support/memory-trade-store.js';
import { VirtualClock } from '../support/virtual-clock.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const trade = (id: string, extra: Record<string, unknown> = {}) => ({ symbol: 'ACME', price: 10, size: 1, time: T0 + 1_000, id, ...extra });

function ingestOf(options: Partial<IngestOptions> = {}) {
  const store = new MemoryTradeStore();
  const fed: Trade[] = [];
  const clock = new VirtualClock();
  clock.advanceTo(T0 + 2_000);
  const watermark = new AdmissionWatermark();
  const ingest = new Ingest({
    store,
    aggregator: { add: (trades) => fed.push(...trades) },
    watermark,
    rules: { symbols: new Set(['ACME', 'BETA']), latenessMs: 2_000, maxFutureMs: 5_000 },
    scheduler: clock,
    maxPending: 100,
    batchMax: 1_000,
    batchWaitMs: 0,
    ...options,
  });
  return { ingest, store, fed, watermark, clock };
}

describe('Ingest', () => {
  it('lets the event loop turn between two commits, so a backlog never holds it (sockets read, timers fire, trades join the next commit)', async () => {
    const turns: (() => void)[] = [];
    const { ingest, store } = ingestOf({ batchMax: 2, nextTurn: (next) => turns.push(next) });
    const answered = ingest.publish([trade('a'), trade('b'), trade('c'), trade('d'), trade('e')], '*');
    for (let microtask = 0; microtask < 20; microtask += 1) await Promise.resolve();
    expect(store.appends).toBe(1);
    expect(turns).toHaveLength(1);
    turns.shift()!();
    for (let microtask = 0; microtask < 20; microtask += 1) await Promise.resolve();
    expect(store.appends).toBe(2);
    turns.shift()!();
    expect((await answered).map((result) => result.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(store.appends).toBe(3);
    expect(turns).toHaveLength(0);
  });

  it('answers every trade on its own: a bad one never takes the good ones of its batch', async () => {
    const { ingest, fed } = ingestOf();
    const results = await ingest.publish(
      [trade('a'), { nope: true }, trade('b', { price: -1 }), trade('c', { size: -1 }), trade('d', { symbol: 'AAPL' }), trade('e', { time: T0 + 60_000 }), trade('f', { time: T0 - 60_000 }), trade('a'), trade('g')],
      '*',
    );
    expect(results.map((result) => (result.status === 'refused' ? result.code : result.status))).toEqual([
      'accepted',
      'INVALID_TRADE',
      'INVALID_PRICE',
      'NEGATIVE_SIZE',
      'UNKNOWN_SYMBOL',
      'TRADE_IN_FUTURE',
      'TRADE_TOO_LATE',
      'duplicate',
      'accepted',
    ]);
    expect(fed.map((t) => t.id)).toEqual(['a', 'g']);
  });

  it('refuses the symbols a credential may not publish', async () => {
    const { ingest } = ingestOf();
    const results = await ingest.publish([trade('a'), trade('b', { symbol: 'BETA' })], new Set(['BETA']));
    expect(results.map((result) => result.status === 'refused' ? result.code : result.status)).toEqual(['PUBLISH_FORBIDDEN', 'accepted']);
  });

  it('acknowledges only after the commit, and hands the trades to the aggregator before the ack', async () => {
    const { ingest, store, fed, watermark } = ingestOf();
    store.hold();
    let answered = false;
    const published = ingest.publish([trade('a')], '*').then((results) => ((answered = true), expect(fed).toHaveLength(1), results));
    await new Promise((resolve) => setImmediate(resolve));
    expect({ answered, fed: fed.length, stored: store.trades.length, pending: ingest.pending, heldBefore: watermark.heldBefore() }).toEqual({
      answered: false,
      fed: 0,
      stored: 0,
      pending: 1,
      heldBefore: T0 + 2_000,
    });
    store.release();
    expect(await published).toEqual([{ status: 'accepted' }]);
    expect({ pending: ingest.pending, heldBefore: watermark.heldBefore() }).toEqual({ pending: 0, heldBefore: Number.POSITIVE_INFINITY });
  });

  it('reports each successful commit with its size and the store\'s time, on the scheduler\'s clock, and no failed one', async () => {
    const commits: { trades: number; durationMs: number }[] = [];
    const { ingest, store, clock } = ingestOf({ onCommitted: (commit) => commits.push(commit) });
    store.hold();
    const published = ingest.publish([trade('a'), trade('b'), trade('a')], '*');
    await new Promise((resolve) => setImmediate(resolve));
    clock.advanceTo(clock.now() + 7);
    store.release();
    await published;
    store.failWrites = true;
    expect(await ingest.publish([trade('c')], '*')).toMatchObject([{ status: 'refused', code: 'STORE_UNAVAILABLE' }]);
    expect(commits).toEqual([{ trades: 3, durationMs: 7 }]);
  });

  it('commits the trades that wait together in one transaction, at most batchMax at a time', async () => {
    const { ingest, store } = ingestOf({ batchMax: 3 });
    store.hold();
    const first = ingest.publish([trade('a')], '*');
    const rest = [ingest.publish([trade('b'), trade('c')], '*'), ingest.publish([trade('d'), trade('e'), trade('f'), trade('g')], '*')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.appends).toBe(1);
    store.release();
    await Promise.all([first, ...rest]);
    // a; then b c d; then e f g.
    expect(store.appends).toBe(3);
    expect(store.trades.map((t) => t.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('waits batchWaitMs for more trades to join a commit', async () => {
    const { ingest, store, clock } = ingestOf({ batchWaitMs: 5 });
    const both = Promise.all([ingest.publish([trade('a')], '*'), ingest.publish([trade('b')], '*')]);
    expect(store.appends).toBe(0);
    clock.advanceTo(T0 + 2_005);
    await both;
    expect(store.appends).toBe(1);
  });

  it('refuses a failed commit with STORE_UNAVAILABLE, feeds nothing of it, and takes trades again once the store does', async () => {
    const { ingest, store, fed, watermark } = ingestOf();
    store.failWrites = true;
    expect(await ingest.publish([trade('a'), { bad: 1 }], '*')).toEqual([
      { status: 'refused', code: 'STORE_UNAVAILABLE', message: expect.any(String) },
      { status: 'refused', code: 'INVALID_TRADE', message: expect.any(String) },
    ]);
    expect({ fed: fed.length, heldBefore: watermark.heldBefore() }).toEqual({ fed: 0, heldBefore: Number.POSITIVE_INFINITY });
    store.failWrites = false;
    expect(await ingest.publish([trade('a')], '*')).toEqual([{ status: 'accepted' }]);
  });

  it('answers what waits before it closes, and refuses what comes after', async () => {
    const { ingest, store } = ingestOf();
    store.hold();
    const waiting = ingest.publish([trade('a')], '*');
    const closed = ingest.close();
    store.release();
    await closed;
    expect(await waiting).toEqual([{ status: 'accepted' }]);
    expect((await ingest.publish([trade('b')], '*'))[0]).toMatchObject({ status: 'refused', code: 'SHUTTING_DOWN' });
  });

  it('commits a stream entry whole, with its id as the symbol\'s offset moved from the one it continued after', async () => {
    const { ingest, store } = ingestOf({ batchMax: 2 });
    store.offsets.set('ACME', '1-0');
    ingest.continueStream('ACME', '1-0');
    store.hold();
    const first = ingest.publish([trade('a')], '*', { symbol: 'ACME', entryId: '2-0' });
    const second = ingest.publish([trade('b'), trade('c'), trade('d')], '*', { symbol: 'ACME', entryId: '3-0' });
    await new Promise((resolve) => setImmediate(resolve));
    store.release();
    await Promise.all([first, second]);
    // a, then b c d together although batchMax is 2: an entry is never split.
    expect(store.appends).toBe(2);
    expect(store.offsets.get('ACME')).toBe('3-0');
    expect(store.trades.map((t) => t.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a commit whose offset another process moved, stores nothing of it, and lets go of the stream', async () => {
    const errors: unknown[] = [];
    const { ingest, store, fed } = ingestOf({ onStoreError: (error) => errors.push(error) });
    ingest.continueStream('ACME', '1-0');
    store.offsets.set('ACME', '2-0'); // another leader committed entry 2-0 meanwhile
    expect(await ingest.publish([trade('a')], '*', { symbol: 'ACME', entryId: '2-0' })).toEqual([{ status: 'refused', code: 'STORE_UNAVAILABLE', message: expect.any(String) }]);
    expect({ stored: store.trades.length, fed: fed.length, offset: store.offsets.get('ACME') }).toEqual({ stored: 0, fed: 0, offset: '2-0' });
    expect(errors).toEqual([expect.objectContaining({ name: 'IngestOffsetConflict', symbol: 'ACME' })]);
  });
});
