/**
 * W8, history under fire: does the fan-out keep its timing while the history endpoints are
 * hammered? One real `node src/main.ts` process; one healthy WebSocket client on a fast topic
 * records each update's latency (receive time - `ts`) and the largest gap between two
 * updates, first alone (baseline), then while `concurrency` loops fetch the costliest
 * history there is (1W countback 5000, 1M countback 1500: 35,000 and 45,000 day bars each),
 * with the cache off, so every request is computed in full.
 *
 * Part of `npm run bench` (W8); on its own: npx tsx bench/history-workload.ts. Loopback only.
 */
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startMember, summarize, type LatencySummary } from './cluster-workload.js';

export interface HistoryWorkloadSize {
  readonly seconds: number;
  readonly concurrency: number;
  readonly intervalMs: number;
}

export const HISTORY_FULL: HistoryWorkloadSize = { seconds: 10, concurrency: 20, intervalMs: 50 };
export const HISTORY_QUICK: HistoryWorkloadSize = { seconds: 3, concurrency: 20, intervalMs: 50 };

export interface FanoutTiming extends LatencySummary {
  /** Longest wait between two updates of the topic, in ms (the interval when nothing stalls). */
  readonly largestGapMs: number;
  readonly updates: number;
}

export interface HistoryWorkloadResult extends HistoryWorkloadSize {
  readonly baseline: FanoutTiming;
  readonly underLoad: FanoutTiming;
  readonly history: LatencySummary & { readonly perSecond: number; readonly statuses: Record<string, number> };
}

const HEAVY_QUERIES = ['resolution=1W&countback=5000', 'resolution=1M&countback=1500'];

/** A client on bars:AAPL:1 that records latencies and gaps while `recording` is on. */
async function healthyClient(wsUrl: string): Promise<{ record(): () => FanoutTiming; close(): void }> {
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
  });
  const httpUrl = member.wsUrl.replace('ws://', 'http://').replace('/api/v1/ws', '');
  const client = await healthyClient(member.wsUrl);
  try {
    const stopBaseline = client.record();
    await new Promise((resolve) => setTimeout(resolve, size.seconds * 1000));
    const baseline = stopBaseline();

    const requestLatencies: number[] = [];
    const statuses: Record<string, number> = {};
    const deadline = Date.now() + size.seconds * 1000;
    const stopLoad = client.record();
    await Promise.all(
      Array.from({ length: size.concurrency }, async (_unused, worker) => {
        for (let request = worker; Date.now() < deadline; request += 1) {
          const startedAt = Date.now();
          const response = await fetch(`${httpUrl}/api/v1/bars?symbol=MSFT&${HEAVY_QUERIES[request % HEAVY_QUERIES.length]}`);
          await response.arrayBuffer();
          requestLatencies.push(Date.now() - startedAt);
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        }
      }),
    );
    const underLoad = stopLoad();
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
    `${name.padEnd(10)} p50 ${timing.p50} ms  p99 ${timing.p99} ms  max ${timing.max} ms  largest gap ${timing.largestGapMs} ms  (${timing.updates} updates)`;
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
