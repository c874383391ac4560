/**
 * T3, trade-built bars end to end (issue 21, "Scale and speed"): one real `node src/main.ts`
 * with a trade-fed symbol on a fresh SQLite file (every resolution configured), a publisher
 * process sending `tradesPerSecond` trades over the WebSocket in batches, and a process of
 * subscribers on the symbol's `1` bars. Latency is per trade: from the moment its batch left
 * the publisher to the moment a subscriber received the first bar update that includes it
 * (each trade is of size 1, so an update's volume says how many of its minute's accepted
 * trades, in commit order, it holds). The server's RSS and heap are sampled from /metrics
 * over the run, and their slope over its second half is reported: flat is about 0.
 *
 * Trades whose minute began less than INGEST_LATENESS_MS before they were sent are waiting by
 * design (docs/architecture.md, "Period order, strictly": a new bar is shown only once the
 * previous one is final), so their latency is the lateness, not the pipeline's; they are
 * reported apart, and the target is on the others.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { periodStart } from '../src/domain/resolution.js';
import { startMember } from './cluster-workload.js';
import { progress } from './harness.js';
import { Child } from './ipc.js';
import { ALL_RESOLUTIONS } from './trade-feed.js';
import type { PublisherReply, PublisherRequest, ReceivedUpdates, SentBatch, SubscriberReply, SubscriberRequest } from './trades-e2e-ipc.js';

export interface TradesE2eSize {
  readonly tradesPerSecond: number;
  readonly batchEveryMs: number;
  readonly subscribers: number;
  /** Sent before the measured stretch (JIT, caches), not counted. */
  readonly warmupMs: number;
  readonly measureMs: number;
  /** How often the server's memory is sampled. */
  readonly sampleEveryMs: number;
}

export const TRADES_E2E_FULL: TradesE2eSize = { tradesPerSecond: 50_000, batchEveryMs: 5, subscribers: 10, warmupMs: 3_000, measureMs: 60_000, sampleEveryMs: 1_000 };
export const TRADES_E2E_QUICK: TradesE2eSize = { ...TRADES_E2E_FULL, warmupMs: 2_000, measureMs: 10_000, sampleEveryMs: 500 };

const SYMBOL = 'ACME';
const TOKEN = 'bench-publisher-token';
/** The default INGEST_LATENESS_MS, which the server runs with. */
export const LATENESS_MS = 2_000;

export interface WeightedLatency {
  /** Trade deliveries: each trade counts once per subscriber that received it. */
  readonly trades: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface MemoryTrend {
  readonly samples: number;
  readonly firstMb: number;
  readonly lastMb: number;
  readonly maxMb: number;
  /** Least-squares slope over the second half of the run, MB per minute. */
  readonly slopeLastHalfMbPerMin: number;
}

export interface TradesE2eResult extends TradesE2eSize {
  readonly sentTrades: number;
  readonly acceptedTrades: number;
  readonly refusals: Readonly<Record<string, number>>;
  /** Times the publisher held a batch back because 50,000 trades were unanswered (the server was behind). */
  readonly publisherHeldBack: number;
  /** Accepted trades a subscriber never saw in an update (should be 0). */
  readonly unseenTrades: number;
  /** Trades outside the lateness hold: the pipeline's own latency (the target). */
  readonly pipeline: WeightedLatency;
  /** Trades sent in the first INGEST_LATENESS_MS of their minute: held by design until the previous bar is final. */
  readonly held: WeightedLatency;
  readonly all: WeightedLatency;
  /** Per trade, from its batch's send to the publisher reading the batch's answer (durable): the ingest's share of the latency, before the fan-out. */
  readonly answered: WeightedLatency;
  readonly acceptedPerSecond: number;
  /** The server's CPU over the measured stretch (1: one core busy). */
  readonly serverCores: number;
  /** The server's CPU time per accepted trade, in microseconds: 1e6 / this is what one unshared core takes end to end. */
  readonly serverCpuUsPerTrade: number;
  readonly rss: MemoryTrend;
  readonly heap: MemoryTrend;
  readonly serverLoopP99Ms: number;
  /**
   * The machine's CPU pressure over the run (/proc/pressure/cpu, "some" avg10, %: the share of
   * time some runnable task waited for a CPU), mean and max of the samples; NaN where the
   * kernel has no PSI. On a shared machine it tells a server that is slow from one that waits.
   */
  readonly cpuPressure: { readonly meanPercent: number; readonly maxPercent: number };
}

interface Scrape {
  readonly at: number;
  readonly rss: number;
  readonly heap: number;
  readonly cpuSeconds: number;
  readonly cpuPressure: number;
}

function cpuPressurePercent(): number {
  try {
    return Number(/^some avg10=(\S+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

async function scrape(httpUrl: string): Promise<Scrape & { loopP99Ms: number }> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    at: Date.now(),
    rss: value('process_resident_memory_bytes'),
    heap: value('nodejs_heap_size_used_bytes'),
    cpuSeconds: value('process_cpu_seconds_total'),
    cpuPressure: cpuPressurePercent(),
    loopP99Ms: Math.max(0, value('nodejs_eventloop_lag_p99_seconds') * 1000 - 10),
  };
}

export async function runTradesE2e(size: TradesE2eSize): Promise<TradesE2eResult> {
  // BENCH_INGEST_DATA_DIR: where the server's SQLite file goes (default: the OS's temp folder),
  // e.g. a tmpfs to tell the disk's share of the latency from the rest.
  const dataDir = mkdtempSync(join(process.env['BENCH_INGEST_DATA_DIR'] ?? tmpdir(), 'barcast-bench-e2e-'));
  const member = await startMember({
    DATA_DIR: dataDir,
    INGEST_SYMBOLS: SYMBOL,
    INGEST_LATENESS_MS: String(LATENESS_MS),
    PUBLISH_TOKENS: TOKEN,
    BAR_BROADCASTER_RESOLUTIONS: ALL_RESOLUTIONS.join(','),
    METRICS_PUBLIC: 'true',
    // The publisher is a trusted feed sending a frame every few ms, of up to ~700 KB.
    WS_RATE_LIMIT_PER_SECOND: '100000',
    WS_RATE_LIMIT_BURST: '100000',
    WS_MAX_PAYLOAD_BYTES: String(4 * 1024 * 1024),
  });
  const httpUrl = member.wsUrl.replace('ws://', 'http://').replace('/api/v1/ws', '');
  const publisher = Child.fork<PublisherRequest, PublisherReply>('./trade-publisher-process.ts');
  const subscribers = Child.fork<SubscriberRequest, SubscriberReply>('./bar-subscriber-process.ts');
  try {
    await subscribers.request({ type: 'start', url: member.wsUrl, clients: size.subscribers, symbol: SYMBOL, resolution: '1' });
    await publisher.request({ type: 'start', url: member.wsUrl, token: TOKEN, symbol: SYMBOL, tradesPerSecond: size.tradesPerSecond, batchEveryMs: size.batchEveryMs });
    await sleep(size.warmupMs);
    const measuredFrom = Date.now();
    const scrapes: Scrape[] = [];
    let loopP99Ms = 0;
    const endAt = measuredFrom + size.measureMs;
    let reportedAt = measuredFrom;
    while (Date.now() < endAt) {
      const sample = await scrape(httpUrl);
      scrapes.push(sample);
      loopP99Ms = Math.max(loopP99Ms, sample.loopP99Ms);
      if (sample.at - reportedAt >= 60_000) {
        reportedAt = sample.at;
        progress(`  T3 ${Math.round((sample.at - measuredFrom) / 60_000)} min: server rss ${(sample.rss / 2 ** 20).toFixed(1)} MB, heap ${(sample.heap / 2 ** 20).toFixed(1)} MB`);
      }
      await sleep(Math.max(0, Math.min(size.sampleEveryMs, endAt - Date.now())));
    }
    scrapes.push(await scrape(httpUrl));
    const sent = await publisher.request({ type: 'finish' }, 60_000);
    // The last trades may be in the lateness hold (their minute began less than LATENESS_MS
    // ago): their first update comes once the previous minute is final. Without this wait a
    // run that ends just after a minute starts counts them unseen.
    await sleep(LATENESS_MS + 500);
    const received = await subscribers.request({ type: 'finish' }, 120_000);
    const measuredMonotonicFrom = sent.batches.length > 0 ? sent.batches[0]!.sentAt + size.warmupMs : 0;
    const latencies = tradeLatencies(sent.batches, received.clients, measuredMonotonicFrom);
    const [first, last] = [scrapes[0]!, scrapes.at(-1)!];
    const measuredBatches = sent.batches.filter((batch) => batch.sentAt >= measuredMonotonicFrom);
    const accepted = measuredBatches.reduce((sum, batch) => sum + batch.accepted, 0);
    return {
      ...size,
      sentTrades: sent.batches.reduce((sum, batch) => sum + batch.trades, 0),
      acceptedTrades: sent.batches.reduce((sum, batch) => sum + batch.accepted, 0),
      refusals: sent.refusals,
      publisherHeldBack: sent.heldBack,
      unseenTrades: latencies.unseen,
      pipeline: latencies.pipeline,
      held: latencies.held,
      all: latencies.all,
      answered: answerLatency(measuredBatches),
      acceptedPerSecond: accepted / (size.measureMs / 1000),
      serverCores: (last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000),
      serverCpuUsPerTrade: ((last.cpuSeconds - first.cpuSeconds) * 1e6) / Math.max(1, accepted),
      rss: trend(scrapes, (sample) => sample.rss),
      heap: trend(scrapes, (sample) => sample.heap),
      serverLoopP99Ms: Math.round(loopP99Ms * 10) / 10,
      cpuPressure: pressureOf(scrapes),
    };
  } finally {
    await Promise.all([publisher.stop(), subscribers.stop()]);
    await member.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Each accepted trade's latency, per subscriber: batches in the order sent (the commit order),
 * numbered within their minute by accepted count, matched to the first update of that minute's
 * bar whose volume reaches the trade's number. Batches sent before `from` (the warm-up) are
 * matched but not counted.
 */
export function tradeLatencies(batches: readonly SentBatch[], clients: readonly ReceivedUpdates[], from: number): { pipeline: WeightedLatency; held: WeightedLatency; all: WeightedLatency; unseen: number } {
  const pipeline: [number, number][] = [];
  const held: [number, number][] = [];
  let unseen = 0;
  for (const updates of clients) {
    const byMinute = new Map<number, { volume: number[]; at: number[]; next: number }>();
    updates.barTime.forEach((time, index) => {
      const minute = byMinute.get(time) ?? { volume: [], at: [], next: 0 };
      minute.volume.push(updates.volume[index]!);
      minute.at.push(updates.receivedAt[index]!);
      byMinute.set(time, minute);
    });
    const counted = new Map<number, number>();
    for (const batch of batches) {
      if (batch.accepted === 0) continue;
      const minuteStart = periodStart('1', batch.tradeTime);
      let low = counted.get(minuteStart) ?? 0;
      const high = low + batch.accepted;
      counted.set(minuteStart, high);
      const minute = byMinute.get(minuteStart);
      const into = batch.tradeTime - minuteStart < LATENESS_MS ? held : pipeline;
      while (low < high) {
        while (minute && minute.next < minute.volume.length && minute.volume[minute.next]! <= low) minute.next += 1;
        if (!minute || minute.next >= minute.volume.length) {
          if (batch.sentAt >= from) unseen += high - low;
          break;
        }
        const included = Math.min(high, minute.volume[minute.next]!) - low;
        if (batch.sentAt >= from) into.push([minute.at[minute.next]! - batch.sentAt, included]);
        low += included;
      }
    }
  }
  return { pipeline: weighted(pipeline), held: weighted(held), all: weighted([...pipeline, ...held]), unseen };
}

/** Each answered batch's send-to-answer time, weighted by its trades. */
export function answerLatency(batches: readonly SentBatch[]): WeightedLatency {
  return weighted(batches.filter((batch) => Number.isFinite(batch.answeredAt)).map((batch) => [batch.answeredAt - batch.sentAt, batch.trades]));
}

function weighted(samples: [number, number][]): WeightedLatency {
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, weight]) => sum + weight, 0);
  const at = (p: number): number => {
    if (total === 0) return Number.NaN;
    let seen = 0;
    for (const [latency, weight] of sorted) {
      seen += weight;
      if (seen >= (p / 100) * total) return Math.round(latency * 100) / 100;
    }
    return Math.round(sorted.at(-1)![0] * 100) / 100;
  };
  return { trades: total, p50: at(50), p99: at(99), p999: at(99.9), max: total === 0 ? Number.NaN : Math.round(sorted.at(-1)![0] * 100) / 100 };
}

function pressureOf(samples: readonly Scrape[]): TradesE2eResult['cpuPressure'] {
  const values = samples.map((sample) => sample.cpuPressure).filter((value) => Number.isFinite(value));
  if (values.length === 0) return { meanPercent: Number.NaN, maxPercent: Number.NaN };
  const round = (value: number): number => Math.round(value * 10) / 10;
  return { meanPercent: round(values.reduce((sum, value) => sum + value, 0) / values.length), maxPercent: round(Math.max(...values)) };
}

function trend(samples: readonly Scrape[], valueOf: (sample: Scrape) => number): MemoryTrend {
  const mb = samples.map((sample) => ({ minutes: sample.at / 60_000, value: valueOf(sample) / 2 ** 20 }));
  const half = mb.slice(Math.floor(mb.length / 2));
  const meanX = half.reduce((sum, point) => sum + point.minutes, 0) / half.length;
  const meanY = half.reduce((sum, point) => sum + point.value, 0) / half.length;
  const covariance = half.reduce((sum, point) => sum + (point.minutes - meanX) * (point.value - meanY), 0);
  const variance = half.reduce((sum, point) => sum + (point.minutes - meanX) ** 2, 0);
  const round = (value: number): number => Math.round(value * 100) / 100;
  return {
    samples: mb.length,
    firstMb: round(mb[0]!.value),
    lastMb: round(mb.at(-1)!.value),
    maxMb: round(Math.max(...mb.map((point) => point.value))),
    slopeLastHalfMbPerMin: variance > 0 ? round(covariance / variance) : Number.NaN,
  };
}

export function describeTradesE2e(result: TradesE2eResult): string {
  const row = (name: string, latency: WeightedLatency) =>
    `${name.padEnd(9)} ${latency.trades} trades  p50 ${latency.p50} ms  p99 ${latency.p99} ms  p99.9 ${latency.p999} ms  max ${latency.max} ms`;
  const memory = (name: string, trend: MemoryTrend) =>
    `${name} ${trend.firstMb} -> ${trend.lastMb} MB (max ${trend.maxMb}), slope over the last half ${trend.slopeLastHalfMbPerMin} MB/min`;
  return [
    `T3 trades end to end: ${result.tradesPerSecond} trades/s in batches every ${result.batchEveryMs} ms, ${result.subscribers} subscribers on bars:${SYMBOL}:1, ${result.measureMs / 1000} s measured (after ${result.warmupMs / 1000} s of warm-up)`,
    `accepted ${Math.round(result.acceptedPerSecond)}/s (${result.acceptedTrades} of ${result.sentTrades} sent; refused ${JSON.stringify(result.refusals)}; publisher held back by back-pressure ${result.publisherHeldBack} times; unseen by a subscriber ${result.unseenTrades}); server cpu ${result.serverCores.toFixed(2)} cores (${result.serverCpuUsPerTrade.toFixed(1)} us per trade), loop delay p99 (max of samples) ${result.serverLoopP99Ms} ms; machine cpu pressure mean ${result.cpuPressure.meanPercent}%, max ${result.cpuPressure.maxPercent}%`,
    row('pipeline', result.pipeline),
    row('held', result.held),
    row('all', result.all),
    row('answered', result.answered),
    memory('server rss ', result.rss),
    memory('server heap', result.heap),
  ].join('\n');
}
