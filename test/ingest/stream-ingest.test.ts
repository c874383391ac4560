import { describe, expect, it } from 'vitest';
import { Ingest } from '../../src/ingest/ingest.js';
import { StreamIngest } from '../../src/ingest/stream-ingest.js';
import { AdmissionWatermark } from '../../src/streams/trade-watermark.js';
import { MemoryTradeStore } from '../support/memory-trade-store.js';
import { VirtualClock } from '../support/virtual-clock.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const trade = (id: string) => ({ symbol: 'ACME', price: 10, size: 1, time: T0 + 1_000, id });

function streamIngestOf() {
  const store = new MemoryTradeStore();
  const clock = new VirtualClock();
  clock.advanceTo(T0 + 2_000);
  const calls: string[] = [];
  // The ingest reports commit failures to the stream ingest built on it.
  const late: { streams?: StreamIngest } = {};
  const ingest = new Ingest({
    store,
    aggregator: { add: (trades) => calls.push(`add ${trades.map((t) => t.id).join(',')}`) },
    watermark: new AdmissionWatermark(),
    rules: { symbols: new Set(['ACME']), latenessMs: 2_000, maxFutureMs: 5_000 },
    scheduler: clock,
    maxPending: 100,
    batchMax: 1_000,
    batchWaitMs: 0,
    onStoreError: (error) => late.streams?.storeFailed(error),
  });
  const aggregation = { lead: async (symbol: string) => void calls.push(`lead ${symbol}`), release: (symbol: string) => void calls.push(`release ${symbol}`) };
  const streams = new StreamIngest(['ACME'], ingest, aggregation, store);
  late.streams = streams;
  return { streams, store, calls };
}

describe('StreamIngest', () => {
  it('recovers the symbol, continues its stream after the stored offset, and commits each entry with its id', async () => {
    const { streams, store, calls } = streamIngestOf();
    store.offsets.set('ACME', '5-0');
    expect(await streams.lead('ACME')).toBe('5-0');
    expect(await streams.ingestEntry('ACME', '6-0', [trade('a'), { bad: true }])).toEqual([{ status: 'accepted' }, expect.objectContaining({ code: 'INVALID_TRADE' })]);
    expect(store.offsets.get('ACME')).toBe('6-0');
    expect(calls).toEqual(['lead ACME', 'add a']);
  });

  it('drops the answers of a lead that ended: another process answers the entry', async () => {
    const { streams, store } = streamIngestOf();
    await streams.lead('ACME');
    store.hold();
    const answer = streams.ingestEntry('ACME', '1-0', [trade('a')]);
    streams.release('ACME');
    store.release();
    expect(await answer).toBeUndefined();
    expect(await streams.ingestEntry('ACME', '2-0', [trade('b')])).toBeUndefined();
  });

  it('ends the lead when another process moved the offset, says so, and leads again from the new offset', async () => {
    const { streams, store, calls } = streamIngestOf();
    const lost: string[] = [];
    streams.onLost((symbol) => lost.push(symbol));
    await streams.lead('ACME');
    store.offsets.set('ACME', '3-0'); // committed by another generator meanwhile
    expect(await streams.ingestEntry('ACME', '1-0', [trade('a')])).toBeUndefined();
    expect(lost).toEqual(['ACME']);
    expect(calls).toEqual(['lead ACME', 'release ACME']);
    expect(await streams.lead('ACME')).toBe('3-0');
    expect(await streams.ingestEntry('ACME', '4-0', [trade('a')])).toEqual([{ status: 'accepted' }]);
    expect(store.trades.map((t) => t.id)).toEqual(['a']);
  });

  it('takes no entry once closing: the offset stays before it, and the next leader answers it', async () => {
    const { streams, store } = streamIngestOf();
    await streams.lead('ACME');
    streams.close();
    expect(await streams.ingestEntry('ACME', '1-0', [trade('a')])).toBeUndefined();
    expect({ stored: store.trades.length, offset: store.offsets.get('ACME') }).toEqual({ stored: 0, offset: undefined });
  });
});
