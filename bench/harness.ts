import { execSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Child, type LoadReply, type LoadRequest, type ServerKind, type ServerReply, type ServerRequest, type ServerStats, type TopicRef } from './ipc.js';
import type { SweepPoints } from './options.js';
import type { FanoutResult } from './report.js';
import { summarizeLatency } from './stats.js';

export type Server = Child<ServerRequest, ServerReply>;
export type Load = Child<LoadRequest, LoadReply>;

export interface TopicSet {
  readonly symbols: readonly string[];
  readonly resolutions: readonly string[];
  readonly intervalMs: number;
}

export interface FanoutSpec extends TopicSet {
  /** One entry per client: the topics it subscribes to. */
  readonly clients: readonly (readonly TopicRef[])[];
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly sampleEvery: number;
}

/** Descriptors a server process keeps besides its connections (stdio, IPC, epoll, listen socket, ...), with room to spare. */
const SPARE_FILES = 1_000;
/** Connections one load process holds at most: well below the per-process limit of open files. */
const CONNECTIONS_PER_LOAD_PROCESS = 10_000;
/** Thousands of handshakes on a loaded 2-core machine can take minutes. */
const CONNECT_TIMEOUT_MS = 600_000;
/** Ephemeral ports on one source address (32768-60999), the other bound on connections to one server. */
const EPHEMERAL_PORTS = 28_232;

/**
 * The measurement machinery every workload shares: server processes (one per measurement),
 * the load processes (forked once, reused), and the fan-out measurement itself.
 */
export class Bench {
  /** The most connections a server process may hold here: the open-file limit minus its own descriptors. */
  readonly maxConnections: number;
  private readonly loads: Load[];

  constructor(
    readonly servers: readonly ServerKind[],
    /** `--schedule`: barcast runs with this `fanout.tickSchedule` instead of the config's. */
    private readonly tickSchedule: string | undefined,
    /** The per-process open-file limit (`ulimit -n`). */
    readonly openFiles: number = openFileLimit(),
    /** `--sweep-connections` / `--sweep-topics`: the sweep's points, where not its size's. */
    readonly sweepPoints: SweepPoints = {},
  ) {
    this.maxConnections = Math.max(0, Math.floor((Math.min(openFiles, EPHEMERAL_PORTS) - SPARE_FILES) / 1_000) * 1_000);
    const processes = Math.max(2, Math.ceil(this.maxConnections / CONNECTIONS_PER_LOAD_PROCESS));
    this.loads = Array.from({ length: processes }, () => Child.fork<LoadRequest, LoadReply>('./load-process.ts'));
  }

  async close(): Promise<void> {
    await Promise.all(this.loads.map((load) => load.stop()));
  }

  async startServer(kind: ServerKind, topics: TopicSet): Promise<{ server: Server; url: string }> {
    const server = Child.fork<ServerRequest, ServerReply>('./server-process.ts');
    const { port } = await server.request({
      type: 'start',
      server: kind,
      symbols: topics.symbols,
      resolutions: topics.resolutions,
      intervalMs: topics.intervalMs,
      ...(this.tickSchedule ? { tickSchedule: this.tickSchedule } : {}),
    });
    return { server, url: `ws://127.0.0.1:${port}` };
  }

  /** Spreads the clients round-robin over the load processes; resolves once every one is subscribed. */
  async connectLoads(kind: ServerKind, url: string, clients: readonly (readonly TopicRef[])[], sampleEvery: number): Promise<Load[]> {
    const protocol = kind === 'socketio' ? 'socketio' : 'barcast';
    const count = this.loads.length;
    await Promise.all(
      this.loads.map((load, index) =>
        load.request({ type: 'connect', url, protocol, clients: clients.filter((_, client) => client % count === index), sampleEvery }, CONNECT_TIMEOUT_MS),
      ),
    );
    return this.loads;
  }

  disconnectLoads(): Promise<unknown> {
    return Promise.all(this.loads.map((load) => load.request({ type: 'disconnect' })));
  }

  stats(server: Server, gc = false): Promise<ServerStats> {
    return server.request({ type: 'stats', gc });
  }

  /** One fan-out measurement: connect and subscribe, warm up, then count deliveries and server CPU. */
  async measureFanout(kind: ServerKind, spec: FanoutSpec): Promise<FanoutResult> {
    const [result] = await this.measureStages(kind, spec, [spec]);
    return result!;
  }

  /**
   * Several measurements on one server process: stage 1 connects `stages[0].clients`, each later
   * stage subscribes the same clients to its topics on top (so subscriptions only grow), then
   * each warms up and measures as one fan-out measurement (unless `measured: false`). Memory per connection is always
   * against the process before its first client.
   */
  async measureStages(kind: ServerKind, topics: TopicSet, stages: readonly (Omit<FanoutSpec, keyof TopicSet> & { readonly measured?: boolean })[]): Promise<FanoutResult[]> {
    const { server, url } = await this.startServer(kind, topics);
    try {
      const empty = await this.stats(server, true);
      const results: FanoutResult[] = [];
      for (const [index, stage] of stages.entries()) {
        const t0 = Date.now();
        if (index === 0) await this.connectLoads(kind, url, stage.clients, stage.sampleEvery);
        else await this.subscribeLoads(stage.clients);
        progress(`  ${index === 0 ? 'connected' : 'subscribed'} in ${Date.now() - t0} ms`);
        // A stage that only gets the clients there (`measured: false`) has no row.
        if (stage.measured !== false) results.push(await this.measureWindow(kind, server, empty, stage));
      }
      return results;
    } finally {
      // Killed, not stopped: its numbers are taken, and a graceful close of thousands of
      // sockets would only add seconds to every measurement. A profiled server (BENCH_CPU_PROF)
      // must exit normally to write its profile.
      await Promise.all([this.disconnectLoads(), process.env['BENCH_CPU_PROF'] ? server.stop() : server.kill()]);
    }
  }

  private async subscribeLoads(clients: readonly (readonly TopicRef[])[]): Promise<void> {
    const count = this.loads.length;
    await Promise.all(this.loads.map((load, index) => load.request({ type: 'subscribe', clients: clients.filter((_, client) => client % count === index) }, CONNECT_TIMEOUT_MS)));
  }

  private async measureWindow(kind: ServerKind, server: Server, empty: ServerStats, spec: Omit<FanoutSpec, keyof TopicSet>): Promise<FanoutResult> {
    await sleep(spec.warmupMs);
    await Promise.all(this.loads.map((load) => load.request({ type: 'reset' })));
    const before = await this.stats(server);
    await sleep(spec.measureMs);
    const after = await this.stats(server);
    const reports = await Promise.all(this.loads.map((load) => load.request({ type: 'report' })));
    const settled = await this.stats(server, true);
    const updates = reports.reduce((sum, report) => sum + report.updates, 0);
    const elapsedMs = Math.max(...reports.map((report) => report.elapsedMs));
    const cpuUs = after.cpuUs - before.cpuUs;
    const connections = spec.clients.length;
    const loopActive = after.loopActiveMs - before.loopActiveMs;
    return {
      server: kind,
      connections,
      deliveredPerSecond: (updates / elapsedMs) * 1000,
      cpuUsPerMessage: updates > 0 ? cpuUs / updates : Number.NaN,
      cpuCoreShare: cpuUs / 1000 / spec.measureMs,
      loopUtilization: loopActive / (loopActive + after.loopIdleMs - before.loopIdleMs),
      latency: summarizeLatency(reports.flatMap((report) => report.latencies)),
      rssPerConnection: (settled.rss - empty.rss) / connections,
      heapPerConnection: (settled.heapUsed - empty.heapUsed) / connections,
      rssPerConnectionUnforced: (after.rss - empty.rss) / connections,
      heapCommittedPerConnection: (settled.heapTotal - empty.heapTotal) / connections,
      newSpacePerConnection: (settled.newSpace - empty.newSpace) / connections,
    };
  }

  /**
   * Each server in turn, `rounds` times over (interleaved, so a burst of load from elsewhere on
   * the machine hits every server alike); per server, the round with the median throughput is kept.
   */
  async fanoutAcrossServers(label: string, spec: FanoutSpec, rounds = 1): Promise<FanoutResult[]> {
    const all = new Map<ServerKind, FanoutResult[]>(this.servers.map((kind) => [kind, []]));
    for (let round = 1; round <= rounds; round += 1) {
      for (const kind of this.servers) {
        progress(`${label} ${kind}${rounds > 1 ? ` (round ${round}/${rounds})` : ''}`);
        all.get(kind)!.push(await this.measureFanout(kind, spec));
      }
    }
    return this.servers.map((kind) => {
      const sorted = [...all.get(kind)!].sort((a, b) => a.deliveredPerSecond - b.deliveredPerSecond);
      const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
      return rounds > 1 ? { ...median, roundsDeliveredPerSecond: sorted.map((result) => Math.round(result.deliveredPerSecond)) } : median;
    });
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

export function hasCommand(name: string): boolean {
  try {
    execSync(`command -v ${name}`, { shell: '/bin/sh', stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function progress(what: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${what}\n`);
}
