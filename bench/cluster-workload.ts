/**
 * Cross-process workload: what running behind Redis adds to an update's latency.
 *
 * Two set-ups on this machine, each member a real `node src/main.ts` process, the clients
 * in this one; same clients, same topic, same interval:
 *   standalone  one process generates and serves;
 *   cluster     one generator -> Redis -> two gateways, clients spread across both.
 * Latency of an update = when a client receives it - the `ts` in the frame. Standalone
 * stamps `ts` as it sends; a generator stamps the tick's slot time, before its Redis round
 * trips, so the cluster figure is end to end (lease, publish, pub/sub hop, fan-out).
 *
 * Part of `npm run bench` as W7 (skipped when no redis-server binary is installed); on its own:
 * npm run bench:cluster  (BENCH_CLIENTS, BENCH_SECONDS, BENCH_INTERVAL_MS to change it), which
 * writes bench/results/cluster-<time>.json and prints a summary. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startRedisServer } from '../test/support/redis-server.js';

export interface ClusterWorkloadSize {
  readonly clients: number;
  readonly seconds: number;
  readonly intervalMs: number;
}

export const SIZE_FROM_ENV: ClusterWorkloadSize = {
  clients: Number(process.env['BENCH_CLIENTS'] ?? 200),
  seconds: Number(process.env['BENCH_SECONDS'] ?? 5),
  intervalMs: Number(process.env['BENCH_INTERVAL_MS'] ?? 100),
};
const TOPIC = 'bars:AAPL:1';
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface Member {
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/** Starts `src/main.ts` in its own process on a free port; resolves once it listens. */
export function startMember(env: Record<string, string>): Promise<Member> {
  const logFile = process.env['BENCH_SERVER_LOG'];
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the member too (written when SIGTERM ends it).
  const profile = process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], {
    cwd: PACKAGE_DIR,
    // All clients connect from 127.0.0.1 at once: lift the per-IP handshake cap, which is not what is measured.
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MAX_HANDSHAKES_PER_IP: '100000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = (): Promise<void> =>
    child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()).kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`a ${env['BARCAST_ROLE'] ?? 'standalone'} process did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`a member exited early with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // BENCH_SERVER_LOG=FILE keeps the members' logs (the bench reads them only for "listening"): why a run's server closed a client.
      if (logFile) appendFileSync(logFile, `${line}\n`);
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg !== 'barcast listening') return;
      clearTimeout(timer);
      resolve({ wsUrl: `ws://127.0.0.1:${entry.port}/api/v1/ws`, stop });
    });
  });
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface ClusterWorkloadResult {
  readonly clients: number;
  readonly seconds: number;
  readonly intervalMs: number;
  readonly standalone: LatencySummary;
  readonly cluster: LatencySummary;
  /** cluster minus standalone, per percentile, in milliseconds. */
  readonly added: Omit<LatencySummary, 'samples'>;
}

/**
 * Connects `count` clients spread round-robin over `wsUrls`, client i subscribed to
 * `symbols[i mod symbols.length]` at resolution 1, and records latencies.
 */
export async function measure(
  wsUrls: readonly string[],
  { clients: count, seconds, intervalMs }: ClusterWorkloadSize,
  symbols: readonly string[] = ['AAPL'],
): Promise<number[]> {
  const latencies: number[] = [];
  let recording = false;
  const sockets = await Promise.all(
    Array.from({ length: count }, (_unused, index) => {
      const socket = new WebSocket(wsUrls[index % wsUrls.length]!);
      socket.on('message', (data) => {
        const receivedAt = Date.now();
        const message = JSON.parse(String(data)) as { type: string; ts?: number };
        if (recording && message.type === 'bars.update' && message.ts !== undefined) latencies.push(receivedAt - message.ts);
      });
      return new Promise<WebSocket>((resolve, reject) => {
        socket.once('open', () => {
          const symbol = symbols[index % symbols.length];
          socket.send(JSON.stringify({ type: 'bars.subscribe', payload: { symbol, params: { resolution: '1' } } }));
          resolve(socket);
        });
        socket.once('error', reject);
      });
    }),
  );
  // Let every subscription settle before recording.
  await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
  recording = true;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  recording = false;
  for (const socket of sockets) socket.terminate();
  return latencies;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (quantile: number): number => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? Number.NaN;
  return { samples: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

export async function runClusterWorkload(size: ClusterWorkloadSize = SIZE_FROM_ENV): Promise<ClusterWorkloadResult> {
  const interval = { BAR_BROADCASTER_INTERVAL: String(size.intervalMs / 1000) };
  const running: Member[] = [];
  const redis = await startRedisServer();
  try {
    const standaloneMember = await startMember(interval);
    running.push(standaloneMember);
    const standalone = summarize(await measure([standaloneMember.wsUrl], size));
    await standaloneMember.stop();

    const member = (role: string) => startMember({ ...interval, BARCAST_ROLE: role, REDIS_URL: redis.url });
    const members = await Promise.all([member('generator'), member('gateway'), member('gateway')]);
    running.push(...members);
    const cluster = summarize(await measure([members[1]!.wsUrl, members[2]!.wsUrl], size));
    return {
      ...size,
      standalone,
      cluster,
      added: {
        p50: cluster.p50 - standalone.p50,
        p95: cluster.p95 - standalone.p95,
        p99: cluster.p99 - standalone.p99,
        max: cluster.max - standalone.max,
      },
    };
  } finally {
    await Promise.all(running.map((member) => member.stop()));
    await redis.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runClusterWorkload();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, summary: Omit<LatencySummary, 'samples'>) =>
    `${name.padEnd(11)} p50 ${summary.p50} ms  p95 ${summary.p95} ms  p99 ${summary.p99} ms  max ${summary.max} ms`;
  process.stdout.write(
    [
      `cluster workload: ${result.clients} clients, ${result.seconds} s, interval ${result.intervalMs} ms, topic ${TOPIC}`,
      `${row('standalone', result.standalone)}  (${result.standalone.samples} updates)`,
      `${row('cluster', result.cluster)}  (${result.cluster.samples} updates, 2 gateways, 1 generator)`,
      row('added', result.added),
      `written to bench/results/${file.slice(RESULTS_DIR.length)}`,
      '',
    ].join('\n'),
  );
}
