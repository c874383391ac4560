import { progress } from '../harness.js';
import type { TopicRef } from '../ipc.js';
import { OURS, PEERS, fixed, rowOf, type FanoutResult } from '../report.js';
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
 * all four (16 topics: four charts of four timeframes). The symbols are `index`, `index + 25`,
 * ... (mod 100), so a client's topics at a count include its topics at every smaller count.
 */
export function sweepTopics(index: number, count: number): TopicRef[] {
  const resolutions = RESOLUTIONS.slice(0, Math.min(count, RESOLUTIONS.length));
  const symbolCount = Math.ceil(count / RESOLUTIONS.length);
  const stride = SYMBOLS.length / 4;
  return Array.from({ length: symbolCount }, (_, offset) => SYMBOLS[(index + offset * stride) % SYMBOLS.length]!).flatMap(
    (symbol) => resolutions.map((resolution) => ({ symbol, resolution })),
  );
}

/**
 * The scaling sweep: CPU per delivered message and memory per connection at several connection
 * counts and topics per client, for every server. Per connection count and server, one process:
 * the clients connect on 1 topic each and are measured, then subscribe to more topics (4, then
 * 16) and are measured again, so a connection count is connected once. Every topic ticks at one
 * interval per connection count: 100 ms, or longer where the largest stage would otherwise
 * produce more than `rateCap` updates/s, so no point saturates the machine (W1 does that) and
 * every point measures cost, not overload. Each window spans at least two intervals.
 */
export const sweep = defineWorkload({
  ids: ['SWEEP'],
  full: { connections: [100, 1_000, 5_000, 'max'] as (number | 'max')[], topicsPerClient: [1, 4, 16], rateCap: 50_000, warmupMs: 1_000, minMeasureMs: 3_000 },
  quick: { connections: [1_000] as (number | 'max')[], topicsPerClient: [1, 16], rateCap: 50_000, warmupMs: 300, minMeasureMs: 1_000 },
  async run(bench, chosen) {
    // `--sweep-connections` / `--sweep-topics` narrow the run to some points.
    const size = { ...chosen, ...bench.sweepPoints };
    const counts = [...new Set(size.connections.map((count) => (count === 'max' ? bench.maxConnections : Math.min(count, bench.maxConnections))))].filter((count) => count > 0);
    const points: SweepPoint[] = [];
    for (const connections of counts) {
      const intervalMs = Math.max(100, Math.ceil(((connections * Math.max(...size.topicsPerClient)) / size.rateCap) * 1000));
      // Clients connect on one topic, as in the full sweep, also where `--sweep-topics` measures
      // only more: thousands of handshakes each followed by 16 subscriptions starve the handshakes.
      const staged = size.topicsPerClient[0] === 1 ? size.topicsPerClient : [1, ...size.topicsPerClient];
      const stages = staged.map((count, stage) => {
        const previous = stage === 0 ? 0 : staged[stage - 1]!;
        return {
          measured: size.topicsPerClient.includes(count),
          clients: Array.from({ length: connections }, (_, index) => sweepTopics(index, count).slice(previous === 0 ? 0 : sweepTopics(index, previous).length)),
          warmupMs: size.warmupMs + intervalMs,
          measureMs: Math.max(size.minMeasureMs, 2 * intervalMs),
          sampleEvery: 16,
        };
      });
      const byServer = new Map<string, FanoutResult[]>();
      for (const server of bench.servers) {
        progress(`SWEEP ${connections} connections x ${size.topicsPerClient.join(', ')} topics (${intervalMs} ms) ${server}`);
        byServer.set(server, await bench.measureStages(server, { symbols: SYMBOLS, resolutions: RESOLUTIONS, intervalMs }, stages));
      }
      size.topicsPerClient.forEach((topicsPerClient, stage) => {
        points.push({ connections, topicsPerClient, intervalMs, rows: bench.servers.map((server) => byServer.get(server)![stage]!) });
      });
    }
    points.sort((a, b) => a.topicsPerClient - b.topicsPerClient || a.connections - b.connections);
    const result: SweepResult = { rateCap: size.rateCap, points };
    return { details: { SWEEP: result }, tables: [sweepTable(points)] };
  },
});

function sweepTable(points: readonly SweepPoint[]) {
  // Every server measured, peers first (barcast-uws only where it ran).
  const servers = [...PEERS, ...OURS].filter((server) => points.some((point) => rowOf(point.rows, server) !== undefined));
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
