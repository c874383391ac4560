/**
 * W8, history under fire: does the fan-out keep its timing while the history endpoints are
 * hammered? One real `node src/main.ts` process; one healthy WebSocket client on a fast topic
 * records each update's latency (receive time - `ts`) and the largest gap between two
 * updates, first alone (baseline), then while `concurrency` loops (on a worker thread) fetch
 * the costliest history there is (REST 1W countback 5000 and 1M countback 1500: 35,000 and
 * 45,000 day bars each; UDF 1W countback 5000), with the cache off, so every request is
 * computed in full. Beside the client's figures, the server's own event-loop delay per phase.
 *
 * Part of `npm run bench` (W8); on its own: npx tsx bench/history-workload.ts. Loopback only.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { startMember, summarize, type LatencySummary } from './cluster-workload.js';

export interface HistoryWorkloadSize {
  readonly seconds: number;
  readonly concurrency: number;
  readonly intervalMs: number;
}

export const HISTORY_FULL: HistoryWorkloadSize = { seconds: 10, concurrency: 20, intervalMs: 20 };
export const HISTORY_QUICK: HistoryWorkloadSize = { seconds: 3, concurrency: 20, intervalMs: 20 };

export interface FanoutTiming extends LatencySummary {
  /** Longest wait between two updates of the topic, in ms (the interval when nothing stalls). */
  readonly largestGapMs: number;
  readonly updates: number;
  /**
   * The server's own event-loop delay over the phase, in ms: prom-client's monitor (read from
   * /metrics) records the time between two firings of a 10 ms timer, so 10 ms are taken off.
   */
  readonly serverLoop: { readonly p99Ms: number; readonly maxMs: number };
}

export interface HistoryWorkloadResult extends HistoryWorkloadSize {
  readonly baseline: FanoutTiming;
  readonly underLoad: FanoutTiming;
  readonly history: LatencySummary & { readonly perSecond: number; readonly statuses: Record<string, number> };
}

/** The costliest history there is, over REST and UDF (UDF's `to` is in seconds, and required). */
function heavyQueries(now: number): string[] {
  const to = Math.floor(now / 1000);
  return [
    '/api/v1/bars?symbol=MSFT&resolution=1W&countback=5000',
    '/api/v1/bars?symbol=MSFT&resolution=1M&countback=1500',
    `/api/v1/udf/history?symbol=MSFT&resolution=1W&countback=5000&to=${to}`,
  ];
}

/**
 * The history load, run on a worker thread: the healthy client must not share an event loop
 * or a heap with twenty parallel downloads of half a megabyte each, or its own garbage
 * collections and callbacks would be what the latency figures measure, not the server.
 * (Plain JavaScript, evaluated: the worker needs no TypeScript loader.)
 */
const HAMMER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, queries, concurrency, seconds } = workerData;
const latencies = [];
const statuses = {};
const deadline = Date.now() + seconds * 1000;
Promise.all(Array.from({ length: concurrency }, async (_unused, worker) => {
  for (let request = worker; Date.now() < deadline; request += 1) {
    const startedAt = Date.now();
    const response = await fetch(url + queries[request % queries.length]);
    await response.arrayBuffer();
    latencies.push(Date.now() - startedAt);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
})).then(() => parentPort.postMessage({ latencies, statuses }));
`;

function hammerHistory(httpUrl: string, size: HistoryWorkloadSize): Promise<{ latencies: number[]; statuses: Record<string, number> }> {
  const workerData = { url: httpUrl, queries: heavyQueries(Date.now()), concurrency: size.concurrency, seconds: size.seconds };
  const worker = new Worker(HAMMER, { eval: true, workerData });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: { latencies: number[]; statuses: Record<string, number> }) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * Reads the server's event-loop delay from /metrics. prom-client resets its delay histogram on
 * every scrape, so a scrape at the start of a phase and one at its end give that phase alone:
 * what the server's loop did, apart from what the machine's two shared cores did to the client.
 */
async function serverLoopLag(httpUrl: string): Promise<FanoutTiming['serverLoop']> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const delayMs = (name: string): number => {
    const seconds = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return Math.max(0, Math.round((seconds * 1000 - PROM_CLIENT_LOOP_PERIOD_MS) * 10) / 10);
  };
  return { p99Ms: delayMs('nodejs_eventloop_lag_p99_seconds'), maxMs: delayMs('nodejs_eventloop_lag_max_seconds') };
}

/** prom-client's default `eventLoopMonitoringPrecision`. */
const PROM_CLIENT_LOOP_PERIOD_MS = 10;

/** A client on bars:AAPL:1 that records latencies and gaps while `recording` is on. */
async function healthyClient(wsUrl: string): Promise<{ record(): () => Omit<FanoutTiming, 'serverLoop'>; close(): void }> {
  const socket = new WebSocket(wsUrl);
  let latencies: number[] = [];
  let arrivals: number[] = [];
  socket.on('message', (data) => {
    const receivedAt = Date.now();
    const message = JSON.parse(String(data)) as { type: string; ts?: number };
    if (message.type !== 'bars.update' || message.ts === undefined) return;
    latencies.push(receivedAt - message.ts);
    arrivals.push(receivedAt);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'bars.subscribe', payload: { symbol: 'AAPL', params: { resolution: '1' } } }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    record() {
      latencies = [];
      arrivals = [];
      const startedAt = Date.now();
      return () => {
        const points = [startedAt, ...arrivals, Date.now()];
        const largestGapMs = Math.max(...points.slice(1).map((time, index) => time - (points[index] as number)));
        return { ...summarize(latencies), largestGapMs, updates: arrivals.length };
      };
    },
    close: () => socket.terminate(),
  };
}

export async function runHistoryWorkload(size: HistoryWorkloadSize = HISTORY_FULL): Promise<HistoryWorkloadResult> {
  const member = await startMember({
    BAR_BROADCASTER_INTERVAL: String(size.intervalMs / 1000),
    BAR_BROADCASTER_RESOLUTIONS: '1,1W,1M',
    HISTORY_LISTING_DATE: '1900-01-01',
    HISTORY_CACHE_BARS: '0',
    HISTORY_RATE_LIMIT: '100000',
    METRICS_PUBLIC: 'true',
  });
  const httpUrl = member.wsUrl.replace('ws://', 'http://').replace('/api/v1/ws', '');
  const client = await healthyClient(member.wsUrl);
  try {
    await serverLoopLag(httpUrl);
    const stopBaseline = client.record();
    await new Promise((resolve) => setTimeout(resolve, size.seconds * 1000));
    const baseline = { ...stopBaseline(), serverLoop: await serverLoopLag(httpUrl) };

    const stopLoad = client.record();
    const { latencies: requestLatencies, statuses } = await hammerHistory(httpUrl, size);
    const underLoad = { ...stopLoad(), serverLoop: await serverLoopLag(httpUrl) };
    return {
      ...size,
      baseline,
      underLoad,
      history: { ...summarize(requestLatencies), perSecond: requestLatencies.length / size.seconds, statuses },
    };
  } finally {
    client.close();
    await member.stop();
  }
}

export function describeHistoryWorkload(result: HistoryWorkloadResult): string {
  const row = (name: string, timing: FanoutTiming) =>
    `${name.padEnd(10)} p50 ${timing.p50} ms  p99 ${timing.p99} ms  max ${timing.max} ms  largest gap ${timing.largestGapMs} ms  (${timing.updates} updates); server loop delay p99 ${timing.serverLoop.p99Ms} ms, max ${timing.serverLoop.maxMs} ms`;
  const { history } = result;
  return [
    `W8 history under fire: ${result.concurrency} parallel heavy history requests for ${result.seconds} s, topic interval ${result.intervalMs} ms`,
    row('baseline', result.baseline),
    row('under load', result.underLoad),
    `history    ${history.samples} requests (${history.perSecond.toFixed(1)}/s), p50 ${history.p50} ms  p99 ${history.p99} ms  statuses ${JSON.stringify(history.statuses)}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${describeHistoryWorkload(await runHistoryWorkload(process.argv.includes('--quick') ? HISTORY_QUICK : HISTORY_FULL))}\n`);
}
