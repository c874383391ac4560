/**
 * T1 and T2, trades per second in one process (issue 21, "Scale and speed"): how fast the
 * aggregation folds trades with no I/O (T1), and how fast trades become durable in SQLite
 * (or PostgreSQL) through the ingest's group commit, aggregated too (T2). Each figure is a
 * timed stretch of work after a warm-up, in this process, on the real classes: aggregateTrades,
 * TradeAggregator, Ingest, the SQLite and PostgreSQL stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { asyncScheduler, Subject } from 'rxjs';
import type { Resolution } from '../src/domain/resolution.js';
import type { Trade } from '../src/domain/trade.js';
import { TradeAggregator } from '../src/engines/trades/trade-aggregator.js';
import { Ingest } from '../src/ingest/ingest.js';
import { openPostgresTradeStore } from '../src/store/postgres-trade-store.js';
import { openSqliteTradeStore } from '../src/store/sqlite-trade-store.js';
import type { TradeStore } from '../src/store/trade-store.js';
import { aggregateTrades } from '../src/streams/operators/aggregate-trades.js';
import { AdmissionWatermark } from '../src/streams/trade-watermark.js';
import { throughput, TradeFeed, type ThroughputFigure } from './trade-feed.js';

export interface ThroughputSize {
  readonly warmupMs: number;
  readonly measureMs: number;
}

/** Trades per aggregator hand-over in T1: one commit's worth, as the ingest hands them over. */
const T1_CHUNK = 500;
/** The default INGEST_LATENESS_MS. */
const LATENESS_MS = 2_000;
/** Yield to the event loop this often, so the aggregation's timers (shows, finals) fire as in a server. */
const YIELD_EVERY_MS = 10;
const SYMBOL = 'ACME';

/** Runs `step` (which handles `chunk` trades) for the warm-up, then measures it for `measureMs`. */
async function timed(size: ThroughputSize, chunk: number, step: (trades: Trade[]) => void): Promise<ThroughputFigure> {
  const feed = new TradeFeed(SYMBOL);
  const run = async (ms: number): Promise<ThroughputFigure> => {
    const [startedAt, cpu] = [performance.now(), process.cpuUsage()];
    let done = 0;
    let yieldedAt = startedAt;
    while (performance.now() - startedAt < ms) {
      step(feed.next(chunk, Date.now()));
      done += chunk;
      if (performance.now() - yieldedAt >= YIELD_EVERY_MS) {
        await nextTurn();
        yieldedAt = performance.now();
      }
    }
    return throughput(done, startedAt, cpu);
  };
  await run(size.warmupMs);
  return run(size.measureMs);
}

/** A store that holds nothing: T1 measures the aggregation, not I/O (finals are written nowhere). */
const NOWHERE: TradeStore = {
  appendTrades: async (trades) => trades.map(() => true),
  ingestOffset: async () => undefined,
  tradesSince: async () => [],
  saveBars: async () => undefined,
  bars: async () => [],
  lastBar: async () => undefined,
  prune: async () => ({ trades: 0, bars: 0 }),
  health: () => ({ writable: true }),
  close: async () => undefined,
};

export interface AggregationFigure extends ThroughputFigure {
  readonly what: string;
  readonly resolutions: number;
  /** Updates the aggregation emitted per trade (every topic's, summed). */
  readonly updatesPerTrade: number;
}

/** aggregateTrades alone, one resolution, every update taken by one subscriber. */
export async function aggregateTradesThroughput(size: ThroughputSize): Promise<AggregationFigure> {
  const trades = new Subject<Trade>();
  let updates = 0;
  const subscription = trades.pipe(aggregateTrades('1', LATENESS_MS, asyncScheduler)).subscribe(() => (updates += 1));
  try {
    const figure = await timed(size, T1_CHUNK, (chunk) => {
      for (const trade of chunk) trades.next(trade);
    });
    return { ...figure, what: 'aggregateTrades (operator alone)', resolutions: 1, updatesPerTrade: updates / figure.trades };
  } finally {
    subscription.unsubscribe();
  }
}

/** The TradeAggregator of one symbol at `resolutions`, a subscriber on every topic, as the ingest feeds it (a commit at a time). */
export async function tradeAggregatorThroughput(size: ThroughputSize, resolutions: readonly Resolution[]): Promise<AggregationFigure> {
  const aggregator = new TradeAggregator({
    symbols: [SYMBOL], resolutions, latenessMs: LATENESS_MS, maxBars: 5_000, store: NOWHERE, scheduler: asyncScheduler, watermark: new AdmissionWatermark(),
  });
  await aggregator.start();
  let updates = 0;
  const topics = [...new Set<Resolution>(['1', ...resolutions])];
  const subscriptions = topics.map((resolution) => aggregator.updates({ symbol: SYMBOL, resolution }).subscribe(() => (updates += 1)));
  try {
    const figure = await timed(size, T1_CHUNK, (chunk) => aggregator.add(chunk));
    return { ...figure, what: `TradeAggregator, ${topics.length} resolution${topics.length > 1 ? 's' : ''}`, resolutions: topics.length, updatesPerTrade: updates / figure.trades };
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await aggregator.stop();
  }
}

export interface DurableFigure extends ThroughputFigure {
  readonly what: string;
  /** Commits (transactions) per second. */
  readonly commitsPerSecond: number;
}

/** Trades per ingest publish in T2 (a WebSocket frame's worth), and publishes kept in flight (pipelined frames). */
const T2_PUBLISH = 500;
const T2_IN_FLIGHT = 20;
/** INGEST_BATCH_MAX's default: most trades per commit. */
const BATCH_MAX = 5_000;

/** A store that counts its commits. */
function counting(store: TradeStore): { store: TradeStore; commits(): number } {
  let commits = 0;
  const appendTrades = (trades: readonly Trade[]): Promise<readonly boolean[]> => ((commits += 1), store.appendTrades(trades));
  return { store: { ...bind(store), appendTrades }, commits: () => commits };
}

function bind(store: TradeStore): TradeStore {
  return {
    appendTrades: (trades, advances) => store.appendTrades(trades, advances),
    ingestOffset: (symbol) => store.ingestOffset(symbol),
    tradesSince: (symbol, from) => store.tradesSince(symbol, from),
    saveBars: (bars) => store.saveBars(bars),
    bars: (symbol, resolution, from, to, limit) => store.bars(symbol, resolution, from, to, limit),
    lastBar: (symbol, resolution) => store.lastBar(symbol, resolution),
    prune: (trades, bars) => store.prune(trades, bars),
    health: () => store.health(),
    close: () => store.close(),
  };
}

/** `appendTrades` alone, one batch of BATCH_MAX trades after the other: the store's own ceiling. */
export async function appendThroughput(size: ThroughputSize, store: TradeStore, what: string): Promise<DurableFigure> {
  const feed = new TradeFeed(SYMBOL);
  const measure = async (ms: number): Promise<DurableFigure> => {
    const [startedAt, cpu] = [performance.now(), process.cpuUsage()];
    let [done, commits] = [0, 0];
    while (performance.now() - startedAt < ms) {
      await store.appendTrades(feed.next(BATCH_MAX, Date.now()));
      done += BATCH_MAX;
      commits += 1;
    }
    const figure = throughput(done, startedAt, cpu);
    return { ...figure, what, commitsPerSecond: commits / figure.seconds };
  };
  await measure(size.warmupMs);
  return measure(size.measureMs);
}

/**
 * The ingest as a server runs it, minus the socket: publishes of T2_PUBLISH plain objects (as
 * JSON.parse makes them), T2_IN_FLIGHT at a time, each parsed, admitted, group-committed
 * (INGEST_BATCH_MAX 5000, INGEST_BATCH_WAIT_MS 0) and answered after the commit, and the
 * committed trades folded by the TradeAggregator at `resolutions` (none: no aggregation).
 */
export async function ingestThroughput(size: ThroughputSize, given: TradeStore, resolutions: readonly Resolution[] | undefined, what: string): Promise<DurableFigure> {
  const { store, commits } = counting(given);
  const watermark = new AdmissionWatermark();
  const aggregator = resolutions
    ? new TradeAggregator({ symbols: [SYMBOL], resolutions, latenessMs: LATENESS_MS, maxBars: 5_000, store, scheduler: asyncScheduler, watermark })
    : undefined;
  await aggregator?.start();
  const updates = aggregator ? [...new Set<Resolution>(['1', ...(resolutions ?? [])])].map((resolution) => aggregator.updates({ symbol: SYMBOL, resolution }).subscribe()) : [];
  const ingest = new Ingest({
    store,
    aggregator: aggregator ?? { add: () => undefined },
    watermark,
    rules: { symbols: new Set([SYMBOL]), latenessMs: LATENESS_MS, maxFutureMs: 5_000 },
    scheduler: asyncScheduler,
    maxPending: 50_000,
    batchMax: BATCH_MAX,
    batchWaitMs: 0,
  });
  const feed = new TradeFeed(SYMBOL);
  const measure = async (ms: number): Promise<DurableFigure> => {
    const [startedAt, cpu, commitsBefore] = [performance.now(), process.cpuUsage(), commits()];
    let accepted = 0;
    let refused = 0;
    const publisher = async (): Promise<void> => {
      while (performance.now() - startedAt < ms) {
        const results = await ingest.publish(feed.next(T2_PUBLISH, Date.now()), '*');
        for (const result of results) {
          if (result.status === 'accepted') accepted += 1;
          else refused += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: T2_IN_FLIGHT }, publisher));
    if (refused > 0) throw new Error(`T2: ${refused} trades were not accepted`);
    const figure = throughput(accepted, startedAt, cpu);
    return { ...figure, what, commitsPerSecond: (commits() - commitsBefore) / figure.seconds };
  };
  try {
    await measure(size.warmupMs);
    return await measure(size.measureMs);
  } finally {
    await ingest.close();
    for (const subscription of updates) subscription.unsubscribe();
    await aggregator?.stop();
  }
}

/** A fresh SQLite store on a temporary file, and its removal. */
export function temporarySqlite(sync: 'normal' | 'full'): { store: TradeStore; dispose(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'barcast-bench-'));
  const store = openSqliteTradeStore({ file: join(dir, 'bench.sqlite'), sync });
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresStore(url: string): Promise<TradeStore> {
  return openPostgresTradeStore({ connectionString: url });
}
