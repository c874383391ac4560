/**
 * Redis Cluster workload: the same load on the single-Redis engine and on the Redis Cluster
 * engine (sharded pub/sub over three primaries), each member a real `node src/main.ts`
 * process, the clients in this one:
 *   redis    1 generator -> one redis-server -> 2 gateways;
 *   cluster  1 generator -> six-node Redis Cluster (3 primaries, 3 replicas) -> 2 gateways.
 * Reports updates delivered per second, latency (receive time - the frame's `ts`) and the p99
 * the cluster adds over one Redis, and the CPU each Redis node spent (INFO CPU, user + sys,
 * over the measured seconds), so the report shows the load spread across the shards.
 *
 * Part of `npm run bench` as W9 (skipped without redis-server and redis-cli); on its own:
 * npm run bench:redis-cluster  (BENCH_CLIENTS, BENCH_SECONDS, BENCH_INTERVAL_MS, BENCH_TOPICS),
 * which writes bench/results/redis-cluster-<time>.json. Loopback only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { topicSlot } from '../src/engines/redis-cluster/topic-slot.js';
import { startRedisCluster } from '../test/support/redis-cluster.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { measure, SIZE_FROM_ENV as CLUSTER_SIZE_FROM_ENV, startMember, summarize, type ClusterWorkloadSize, type LatencySummary, type Member } from './cluster-workload.js';
import { symbols as benchSymbols } from './topics.js';

export interface RedisClusterWorkloadSize extends ClusterWorkloadSize {
  /** Topics (symbols at resolution 1), spread over the shards by their hash slots. */
  readonly topics: number;
}

/** What one Redis node spent while the clients were measured. */
export interface NodeCpu {
  readonly port: number;
  readonly role: 'primary' | 'replica';
  /** Slots served, for a primary. */
  readonly slots: number;
  /** Of the topics, those whose slot this node serves (a primary). */
  readonly topics: number;
  /** CPU (user + sys) per second of wall time, in percent of one core. */
  readonly cpuPercent: number;
}

export interface EngineRun {
  readonly latency: LatencySummary;
  readonly updatesPerSecond: number;
  readonly nodes: readonly NodeCpu[];
}

export interface RedisClusterWorkloadResult extends RedisClusterWorkloadSize {
  readonly redis: EngineRun;
  readonly cluster: EngineRun;
  /** cluster minus single Redis, in milliseconds. */
  readonly addedP99: number;
  readonly addedP50: number;
}

const SIZE_FROM_ENV: RedisClusterWorkloadSize = { ...CLUSTER_SIZE_FROM_ENV, topics: Number(process.env['BENCH_TOPICS'] ?? 30) };
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** INFO CPU of one node: seconds of user + sys CPU since it started. */
async function cpuSeconds(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

interface NodeProbe {
  readonly port: number;
  readonly role: 'primary' | 'replica';
  readonly slots: number;
  readonly topics: number;
  readonly client: Redis;
}

/** Runs `measure` while reading every node's CPU before and after. */
async function measureWithCpu(wsUrls: readonly string[], size: RedisClusterWorkloadSize, symbolList: readonly string[], probes: readonly NodeProbe[]): Promise<EngineRun> {
  const startedAt = Date.now();
  const before = await Promise.all(probes.map((probe) => cpuSeconds(probe.client)));
  const latencies = await measure(wsUrls, size, symbolList);
  const after = await Promise.all(probes.map((probe) => cpuSeconds(probe.client)));
  // `measure` settles for three intervals before it records; CPU is over the whole call.
  const wallSeconds = (Date.now() - startedAt) / 1000;
  return {
    latency: summarize(latencies),
    updatesPerSecond: Math.round(latencies.length / size.seconds),
    nodes: probes.map((probe, index) => ({
      port: probe.port,
      role: probe.role,
      slots: probe.slots,
      topics: probe.topics,
      cpuPercent: Math.round(((after[index]! - before[index]!) / wallSeconds) * 1000) / 10,
    })),
  };
}

export async function runRedisClusterWorkload(size: RedisClusterWorkloadSize = SIZE_FROM_ENV): Promise<RedisClusterWorkloadResult> {
  const symbolList = benchSymbols(size.topics);
  const common = { BAR_BROADCASTER_INTERVAL: String(size.intervalMs / 1000), BAR_BROADCASTER_SYMBOLS: symbolList.join(','), BAR_BROADCASTER_RESOLUTIONS: '1' };
  const members: Member[] = [];
  const clients: Redis[] = [];
  const probe = (port: number): Redis => {
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined); // a node stopped at the end of its phase
    clients.push(client);
    return client;
  };
  const roles = async (env: Record<string, string>): Promise<string[]> => {
    const started = await Promise.all([startMember({ ...env, BARCAST_ROLE: 'generator' }), startMember({ ...env, BARCAST_ROLE: 'gateway' }), startMember({ ...env, BARCAST_ROLE: 'gateway' })]);
    members.push(...started);
    return [started[1]!.wsUrl, started[2]!.wsUrl];
  };
  const stopMembers = async (): Promise<void> => {
    await Promise.all(members.splice(0).map((member) => member.stop()));
  };

  const redis = await startRedisServer();
  let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
  try {
    const single = await measureWithCpu(await roles({ ...common, REDIS_URL: redis.url }), size, symbolList, [
      { port: redis.port, role: 'primary', slots: 16_384, topics: size.topics, client: probe(redis.port) },
    ]);
    await stopMembers();
    for (const client of clients.splice(0)) client.disconnect();
    await redis.stop();

    cluster = await startRedisCluster();
    const view = await cluster.view();
    const slotsOfTopics = symbolList.map((symbol) => topicSlot(`bars:${symbol}:1`));
    const probes = view.map((node) => ({
      port: node.port,
      role: node.primary ? ('primary' as const) : ('replica' as const),
      slots: node.slots.reduce((sum, [from, to]) => sum + to - from + 1, 0),
      topics: slotsOfTopics.filter((slot) => node.slots.some(([from, to]) => slot >= from && slot <= to)).length,
      client: probe(node.port),
    }));
    const sharded = await measureWithCpu(await roles({ ...common, REDIS_CLUSTER_NODES: cluster.seeds }), size, symbolList, probes);
    return {
      ...size,
      redis: single,
      cluster: sharded,
      addedP50: sharded.latency.p50 - single.latency.p50,
      addedP99: sharded.latency.p99 - single.latency.p99,
    };
  } finally {
    for (const client of clients) client.disconnect();
    await stopMembers();
    await redis.stop();
    await cluster?.stop();
  }
}

/** W9's sizes in `npm run bench` and with `--quick` (the shape stays, counts shrink). */
export const REDIS_CLUSTER_FULL: RedisClusterWorkloadSize = { clients: 1_000, seconds: 10, intervalMs: 100, topics: 30 };
export const REDIS_CLUSTER_QUICK: RedisClusterWorkloadSize = { clients: 200, seconds: 2, intervalMs: 100, topics: 30 };

/** The report's lines for this workload. */
export function redisClusterLines(result: RedisClusterWorkloadResult): string[] {
  const run = (name: string, engine: EngineRun): string =>
    `${name.padEnd(8)} ${String(engine.updatesPerSecond).padStart(7)} updates/s  p50 ${engine.latency.p50} ms  p99 ${engine.latency.p99} ms  max ${engine.latency.max} ms`;
  const shards = result.cluster.nodes
    .filter((node) => node.role === 'primary')
    .map((node) => `:${node.port} ${node.topics} topics ${node.cpuPercent}%`)
    .join(', ');
  const replicas = result.cluster.nodes.filter((node) => node.role === 'replica').map((node) => `${node.cpuPercent}%`).join(', ');
  return [
    `Redis Cluster workload: ${result.clients} clients, ${result.topics} topics, ${result.seconds} s, interval ${result.intervalMs} ms; 1 generator -> Redis -> 2 gateways`,
    run('redis', result.redis),
    run('cluster', result.cluster),
    `added by the cluster: p50 ${result.addedP50} ms, p99 ${result.addedP99} ms`,
    `Redis CPU (% of a core): one Redis ${result.redis.nodes[0]?.cpuPercent}%; cluster primaries ${shards}; replicas ${replicas}`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runRedisClusterWorkload();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `redis-cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(`${RESULTS_DIR}${file}`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${redisClusterLines(result).join('\n')}\nwritten to bench/results/${file}\n`);
}
