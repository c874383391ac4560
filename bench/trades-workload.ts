/**
 * Trade ingest workload (issue 21): how many trades per second one core aggregates, in memory
 * and durably. Two measurements, in this one process, on this machine:
 *   memory   the always-on aggregator (TradeAggregator) folding trades of one symbol into
 *            every resolution (1, 5, 60, 1D), with an in-memory store: the CPU of the fold,
 *            the forming update per trade and topic, and the finals;
 *   durable  the whole way in without the transport: Ingest (parse, admit, group commit)
 *            into a real SQLite file (WAL, synchronous=NORMAL), acknowledged after each
 *            commit, then aggregated; publishes of BENCH_BATCH trades, BENCH_IN_FLIGHT at once.
 * Not part of `npm run bench` (it needs no server); on its own: npm run bench:trades
 * (BENCH_TRADES, BENCH_BATCH, BENCH_IN_FLIGHT to change it). Prints one JSON line per measurement.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler } from 'rxjs';
import type { Resolution } from '../src/domain/resolution.js';
import type { Trade } from '../src/domain/trade.js';
import { TradeAggregator } from '../src/engines/trades/trade-aggregator.js';
import { Ingest } from '../src/ingest/ingest.js';
import { openSqliteTradeStore } from '../src/store/sqlite-trade-store.js';
import { AdmissionWatermark } from '../src/streams/trade-watermark.js';
import { MemoryTradeStore } from '../test/support/memory-trade-store.js';

const TRADES = Number(process.env['BENCH_TRADES'] ?? 500_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 1_000);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 20);
const RESOLUTIONS: Resolution[] = ['1', '5', '60', '1D'];

/** Trades of the last second, each with an id (the durable path indexes them). */
function trades(count: number): Trade[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({ symbol: 'ACME', price: 100 + (i % 200) / 100, size: 1 + (i % 9), time: now - 1_000 + (i % 1_000), id: `b${i}` }));
}

async function memory(): Promise<Record<string, number | string>> {
  const aggregator = new TradeAggregator({ symbols: ['ACME'], resolutions: RESOLUTIONS, latenessMs: 2_000, maxBars: 5_000, store: new MemoryTradeStore(), scheduler: asyncScheduler });
  await aggregator.start();
  const all = trades(TRADES);
  const started = performance.now();
  for (let i = 0; i < all.length; i += BATCH) aggregator.add(all.slice(i, i + BATCH));
  const ms = performance.now() - started;
  await aggregator.stop();
  return { measurement: 'memory', trades: TRADES, topics: RESOLUTIONS.length, tradesPerSecond: Math.round((TRADES / ms) * 1000) };
}

async function durable(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'barcast-bench-trades-'));
  const store = openSqliteTradeStore({ file: join(dir, 'barcast.sqlite'), sync: 'normal' });
  const watermark = new AdmissionWatermark();
  const aggregator = new TradeAggregator({ symbols: ['ACME'], resolutions: RESOLUTIONS, latenessMs: 60_000, maxBars: 5_000, store, scheduler: asyncScheduler, watermark });
  await aggregator.start();
  const ingest = new Ingest({
    store,
    aggregator,
    watermark,
    rules: { symbols: new Set(['ACME']), latenessMs: 60_000, maxFutureMs: 5_000 },
    scheduler: asyncScheduler,
    maxPending: 1_000_000,
    batchMax: 5_000,
    batchWaitMs: 0,
  });
  const all = trades(TRADES);
  let next = 0;
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  const publisher = async (): Promise<void> => {
    while (next < all.length) {
      const batch = all.slice(next, (next += BATCH));
      for (const result of await ingest.publish(batch, '*')) {
        const outcome = result.status === 'refused' ? result.code : result.status;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, publisher));
  const ms = performance.now() - started;
  await aggregator.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { measurement: 'durable', store: 'SQLite', trades: TRADES, outcomes: JSON.stringify(outcomes), batch: BATCH, inFlight: IN_FLIGHT, tradesPerSecond: Math.round((TRADES / ms) * 1000) };
}

for (const run of [memory, durable]) process.stdout.write(`${JSON.stringify(await run())}\n`);
