import type { TopicRef } from '../ipc.js';
import { PEERS, fixed, rowOf, type FanoutResult } from '../report.js';
import { symbols } from '../topics.js';
import { defineWorkload } from '../workload.js';

export interface SweepPoint {
  readonly connections: number;
  readonly topicsPerClient: number;
  readonly intervalMs: number;
  readonly rows: readonly FanoutResult[];
}

export interface SweepResult {
  /** Updates per second the topics produce in all, at most (the interval grows with the subscriptions to stay under it). */
  readonly rateCap: number;
  readonly points: readonly SweepPoint[];
}

const SYMBOLS = symbols(100);
const RESOLUTIONS = ['1', '5', '15', '60'];

/**
 * Client `index` on `count` topics: one symbol at 1 or 4 resolutions, or `count / 4` symbols at
 * all four (16 topics: four charts of four timeframes), neighbours sharing symbols round-robin.
 */
export function sweepTopics(index: number, count: number): TopicRef[] {
  const resolutions = RESOLUTIONS.slice(0, Math.min(count, RESOLUTIONS.length));
  const symbolCount = Math.ceil(count / RESOLUTIONS.length);
  return Array.from({ length: symbolCount }, (_, offset) => SYMBOLS[(index * symbolCount + offset) % SYMBOLS.length]!).flatMap(
    (symbol) => resolutions.map((resolution) => ({ symbol, resolution })),
  );
}

/**
 * The scaling sweep: CPU per delivered message and memory per connection at several connection
 * counts and topics per client, for every server. Every topic ticks at one interval; it is 100 ms
 * until the subscriptions would produce more than `rateCap` updates/s, then grows with them, so
 * that no point saturates the machine (W1 does that) and every point measures cost, not overload.
 */
export const sweep = defineWorkload({
  ids: ['SWEEP'],
  full: { connections: [100, 1_000, 5_000, 'max'] as (number | 'max')[], topicsPerClient: [1, 4, 16], rateCap: 50_000, warmupMs: 1_000, minMeasureMs: 3_000 },
  quick: { connections: [1_000] as (number | 'max')[], topicsPerClient: [1, 16], rateCap: 50_000, warmupMs: 300, minMeasureMs: 1_000 },
  async run(bench, size) {
    const counts = [...new Set(size.connections.map((count) => (count === 'max' ? bench.maxConnections : Math.min(count, bench.maxConnections))))].filter((count) => count > 0);
    const points: SweepPoint[] = [];
    for (const topicsPerClient of size.topicsPerClient) {
      for (const connections of counts) {
        const subscriptions = connections * topicsPerClient;
        const intervalMs = Math.max(100, Math.ceil((subscriptions / size.rateCap) * 1000));
        const rows = await bench.fanoutAcrossServers(`SWEEP ${connections} conns x ${topicsPerClient} topics (${intervalMs} ms)`, {
          symbols: SYMBOLS, resolutions: RESOLUTIONS, intervalMs,
          clients: Array.from({ length: connections }, (_, index) => sweepTopics(index, topicsPerClient)),
          warmupMs: size.warmupMs + intervalMs, measureMs: Math.max(size.minMeasureMs, 2 * intervalMs), sampleEvery: 16,
        });
        points.push({ connections, topicsPerClient, intervalMs, rows });
      }
    }
    const result: SweepResult = { rateCap: size.rateCap, points };
    return { details: { SWEEP: result }, tables: [sweepTable(points)] };
  },
});

function sweepTable(points: readonly SweepPoint[]) {
  const servers = [...PEERS, 'barcast' as const];
  const header = ['conns', 'topics/client', 'interval ms', ...servers.map((server) => `${server} us/msg`), ...servers.map((server) => `${server} rss KB/conn`)];
  const rows = points.map((point) => [
    String(point.connections),
    String(point.topicsPerClient),
    String(point.intervalMs),
    ...servers.map((server) => fixed(rowOf(point.rows, server)?.cpuUsPerMessage ?? Number.NaN)),
    ...servers.map((server) => fixed((rowOf(point.rows, server)?.rssPerConnection ?? Number.NaN) / 1024, 1)),
  ]);
  return { title: 'SWEEP: server CPU per delivered message and RSS per connection', rows: [header, ...rows] };
}
