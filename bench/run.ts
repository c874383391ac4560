import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runClusterWorkload } from './cluster-workload.js';
import { describeHistoryWorkload, HISTORY_FULL, HISTORY_QUICK, runHistoryWorkload } from './history-workload.js';
import { benchRedisCluster } from './redis-cluster-workload.js';
import { Child, type LoadReply, type LoadRequest, type ServerKind, type ServerReply, type ServerRequest, type ServerStats, type TopicRef } from './ipc.js';
import { ALL_SERVERS, parseBenchOptions, USAGE } from './options.js';
import { renderTable, type BenchResults, type FanoutResult } from './report.js';
import { summarizeLatency } from './stats.js';
import { FULL, QUICK, spread, symbols, topicsOf, type Sizes } from './workloads.js';

/**
 * `npm run bench`: every workload against barcast and, where a ratio is asked for, against
 * the raw-ws limit and socket.io, in this one run. Options: see bench/options.ts.
 */
const LOAD_PROCESSES = 2;
let SERVERS = ALL_SERVERS;
/** `--schedule` runs barcast with that `fanout.tickSchedule` instead of the config's. */
let TICK_SCHEDULE: string | undefined;

type Server = Child<ServerRequest, ServerReply>;
type Load = Child<LoadRequest, LoadReply>;

interface FanoutSpec {
  readonly symbols: readonly string[];
  readonly resolutions: readonly string[];
  readonly intervalMs: number;
  readonly clients: readonly (readonly TopicRef[])[];
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly sampleEvery: number;
}

async function startServer(kind: ServerKind, spec: Pick<FanoutSpec, 'symbols' | 'resolutions' | 'intervalMs'>): Promise<{ server: Server; url: string }> {
  const server = Child.fork<ServerRequest, ServerReply>('./server-process.ts');
  const { port } = await server.request({
    type: 'start',
    server: kind,
    symbols: spec.symbols,
    resolutions: spec.resolutions,
    intervalMs: spec.intervalMs,
    ...(TICK_SCHEDULE ? { tickSchedule: TICK_SCHEDULE } : {}),
  });
  return { server, url: `ws://127.0.0.1:${port}` };
}

/** The load generators, forked once and reused by every measurement (`disconnect` between them). */
let loadProcesses: Load[] = [];

async function connectLoads(kind: ServerKind, url: string, clients: readonly (readonly TopicRef[])[], sampleEvery: number): Promise<Load[]> {
  const protocol = kind === 'socketio' ? 'socketio' : 'barcast';
  await Promise.all(
    loadProcesses.map((load, index) =>
      load.request({ type: 'connect', url, protocol, clients: clients.filter((_, client) => client % LOAD_PROCESSES === index), sampleEvery }),
    ),
  );
  return loadProcesses;
}

const disconnectLoads = (): Promise<unknown> => Promise.all(loadProcesses.map((load) => load.request({ type: 'disconnect' })));

const stats = (server: Server, gc = false): Promise<ServerStats> => server.request({ type: 'stats', gc });

/** One fan-out measurement: connect and subscribe, warm up, then count deliveries and server CPU. */
async function measureFanout(kind: ServerKind, spec: FanoutSpec): Promise<FanoutResult> {
  const { server, url } = await startServer(kind, spec);
  try {
    const empty = await stats(server, true);
    const loads = await connectLoads(kind, url, spec.clients, spec.sampleEvery);
    await sleep(spec.warmupMs);
    await Promise.all(loads.map((load) => load.request({ type: 'reset' })));
    const before = await stats(server);
    await sleep(spec.measureMs);
    const after = await stats(server);
    const reports = await Promise.all(loads.map((load) => load.request({ type: 'report' })));
    const settled = await stats(server, true);
    const updates = reports.reduce((sum, report) => sum + report.updates, 0);
    const elapsedMs = Math.max(...reports.map((report) => report.elapsedMs));
    const cpuUs = after.cpuUs - before.cpuUs;
    const connections = spec.clients.length;
    return {
      server: kind,
      connections,
      deliveredPerSecond: (updates / elapsedMs) * 1000,
      cpuUsPerMessage: updates > 0 ? cpuUs / updates : Number.NaN,
      cpuCoreShare: cpuUs / 1000 / spec.measureMs,
      loopUtilization: (after.loopActiveMs - before.loopActiveMs) / (after.loopActiveMs - before.loopActiveMs + after.loopIdleMs - before.loopIdleMs),
      latency: summarizeLatency(reports.flatMap((report) => report.latencies)),
      rssPerConnection: (settled.rss - empty.rss) / connections,
      heapPerConnection: (settled.heapUsed - empty.heapUsed) / connections,
    };
  } finally {
    await disconnectLoads();
    await server.stop();
  }
}

/**
 * Each server in turn, `rounds` times over (interleaved, so a burst of load from elsewhere on
 * the machine hits every server alike); per server, the round with the median throughput is kept.
 */
async function fanoutAcrossServers(label: string, spec: FanoutSpec, rounds = 1): Promise<FanoutResult[]> {
  const all = new Map<ServerKind, FanoutResult[]>(SERVERS.map((kind) => [kind, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const kind of SERVERS) {
      progress(`${label} ${kind}${rounds > 1 ? ` (round ${round}/${rounds})` : ''}`);
      all.get(kind)!.push(await measureFanout(kind, spec));
    }
  }
  return SERVERS.map((kind) => {
    const sorted = [...all.get(kind)!].sort((a, b) => a.deliveredPerSecond - b.deliveredPerSecond);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    return rounds > 1 ? { ...median, roundsDeliveredPerSecond: sorted.map((result) => Math.round(result.deliveredPerSecond)) } : median;
  });
}

/** W4 then W5 on one barcast process: churn, heap after GC before and after, then idle. */
async function churnThenIdle(sizes: Sizes): Promise<Pick<BenchResults, 'w4' | 'w5'>> {
  progress('W4 churn barcast');
  const topics = topicsOf(symbols(100), ['1', '5', '15', '60']);
  const { server, url } = await startServer('barcast', { symbols: symbols(100), resolutions: ['1', '5', '15', '60'], intervalMs: 1_000 });
  try {
    const loads = await connectLoads('barcast', url, Array.from({ length: sizes.w4.clients }, () => []), 1);
    // Timers of the connections alone (the gateway's one shared ping ticker), before any topic ran:
    // W5 counts what is left above this once every topic has been unsubscribed.
    const connected = await stats(server);
    const churn = (cycles: number) => Promise.all(loads.map((load) => load.request({ type: 'churn', cycles: cycles / loads.length, topics })));
    await churn(Math.min(sizes.w4.cycles, 2 * topics.length * loads.length));
    const before = await stats(server, true);
    const started = Date.now();
    await churn(sizes.w4.cycles);
    const churnMs = Date.now() - started;
    const after = await stats(server, true);

    progress('W5 idle barcast');
    const idleStart = await stats(server);
    await sleep(sizes.w5.idleMs);
    const idleEnd = await stats(server);
    return {
      w4: {
        cycles: sizes.w4.cycles,
        cyclesPerSecond: (sizes.w4.cycles / churnMs) * 1000,
        heapBefore: before.heapUsed,
        heapAfter: after.heapUsed,
        activeTopicsAfter: after.activeTopics ?? Number.NaN,
      },
      w5: {
        idleMs: sizes.w5.idleMs,
        cpuCoreShare: (idleEnd.cpuUs - idleStart.cpuUs) / 1000 / sizes.w5.idleMs,
        timers: idleEnd.resources['Timeout'] ?? 0,
        baselineTimers: connected.resources['Timeout'] ?? 0,
        activeTopics: idleEnd.activeTopics ?? Number.NaN,
      },
    };
  } finally {
    await disconnectLoads();
    await server.stop();
  }
}

/** The soft limit on open files this process (and so every child) has. */
function openFileLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim()) || Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function progress(what: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${what}\n`);
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  const { quick, workloads, out } = options;
  const wants = (workload: string): boolean => workloads.has(workload);
  SERVERS = options.servers;
  TICK_SCHEDULE = options.tickSchedule;
  const sizes = quick ? QUICK : FULL;
  const startedAt = new Date();
  const results: BenchResults = {
    mode: quick ? 'quick' : 'full',
    tickSchedule: TICK_SCHEDULE ?? 'spread',
    startedAt: startedAt.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg() },
  };

  loadProcesses = Array.from({ length: LOAD_PROCESSES }, () => Child.fork<LoadRequest, LoadReply>('./load-process.ts'));
  try {
    await runWorkloads(results, sizes, wants);
  } finally {
    await Promise.all(loadProcesses.map((load) => load.stop()));
  }
  results.durationMs = Date.now() - startedAt.getTime();

  const directory = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(directory, { recursive: true });
  writeFileSync(`${directory}${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderTable(results)}\nwrote bench/results/${out}.json\n`);
}

async function runWorkloads(results: BenchResults, sizes: Sizes, wants: (workload: string) => boolean): Promise<void> {
  if (wants('W1')) {
    results.w1 = await fanoutAcrossServers('W1 saturation', {
      symbols: symbols(1), resolutions: ['1'], intervalMs: 1,
      clients: spread(sizes.w1.clients, topicsOf(symbols(1), ['1'])),
      warmupMs: sizes.warmupMs, measureMs: sizes.w1.measureMs, sampleEvery: 64,
    }, sizes.w1.rounds);
  }
  if (wants('W2')) {
    results.w2 = await fanoutAcrossServers('W2 latency', {
      symbols: symbols(10), resolutions: ['1'], intervalMs: 100,
      clients: spread(sizes.w2.clients, topicsOf(symbols(10), ['1'])),
      warmupMs: sizes.warmupMs, measureMs: sizes.w2.measureMs, sampleEvery: 1,
    });
  }
  const openFiles = openFileLimit();
  const neededFiles = sizes.w3.clients + 1_000;
  if (wants('W3') && openFiles < neededFiles) {
    // Node cannot raise its own limit; each server process holds one descriptor per connection.
    progress(`W3 skipped: it needs about ${neededFiles} open files per process and \`ulimit -n\` is ${openFiles}; raise it (e.g. \`ulimit -n ${neededFiles}\`) and rerun`);
  } else if (wants('W3')) {
    results.w3 = await fanoutAcrossServers('W3 scale', {
      symbols: symbols(100), resolutions: ['1'], intervalMs: 1_000,
      clients: spread(sizes.w3.clients, topicsOf(symbols(100), ['1'])),
      warmupMs: sizes.warmupMs, measureMs: sizes.w3.measureMs, sampleEvery: 1,
    });
  }
  if (wants('W4') || wants('W5')) Object.assign(results, await churnThenIdle(sizes));
  if (wants('W6')) {
    // A client watches one symbol at four resolutions (a chart with several timeframes).
    const resolutions = ['1', '5', '15', '60'];
    const symbolList = symbols(10);
    results.w6 = await fanoutAcrossServers('W6 multi-topic', {
      symbols: symbolList, resolutions, intervalMs: 100,
      clients: Array.from({ length: sizes.w6.clients }, (_, index) => topicsOf([symbolList[index % symbolList.length]!], resolutions)),
      warmupMs: sizes.warmupMs, measureMs: sizes.w6.measureMs, sampleEvery: 8,
    });
  }
  if (wants('W7') && !hasCommand('redis-server')) {
    progress('W7 skipped: it runs a real redis-server, and none is installed (apt-get install redis-server)');
  } else if (wants('W7')) {
    progress('W7 cluster: standalone, then 1 generator -> Redis -> 2 gateways');
    results.w7 = await runClusterWorkload(sizes.w7);
  }
  if (wants('W8')) progress(describeHistoryWorkload(Object.assign(results, { w8: await runHistoryWorkload(sizes === QUICK ? HISTORY_QUICK : HISTORY_FULL) }).w8));
  if (wants('W9')) await benchRedisCluster(results, sizes === QUICK, progress);
}

function hasCommand(name: string): boolean {
  try {
    execSync(`command -v ${name}`, { shell: '/bin/sh', stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

await main();
