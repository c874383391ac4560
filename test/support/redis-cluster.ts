import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import type { ServerMessage } from '../../src/testing/index.js';
import { freePort, spawnRedis, stopChild } from './redis-server.js';

const run = promisify(execFile);

/** Small, so a killed primary's replica is promoted within a couple of seconds. */
export const CLUSTER_NODE_TIMEOUT_MS = 1_000;
const STATE_TIMEOUT_MS = 30_000;

/** One node as a node of the cluster sees it (a line of CLUSTER NODES). */
export interface ClusterNodeView {
  readonly id: string;
  readonly port: number;
  readonly primary: boolean;
  /** Marked failed (`fail`) or possibly failed (`fail?`) by the node asked. */
  readonly failing: boolean;
  /** The primary's id, for a replica. */
  readonly primaryId: string | undefined;
  readonly slots: readonly (readonly [number, number])[];
}

export interface RedisCluster {
  /** Every node's port, primaries first as created (the first three), then replicas. */
  readonly ports: readonly number[];
  /** The value of REDIS_CLUSTER_NODES: every node, `127.0.0.1:port,...`. */
  readonly seeds: string;
  /** The cluster's nodes as a running node sees them. */
  view(): Promise<ClusterNodeView[]>;
  /** The port of the primary that serves `slot` (and is not failing). */
  primaryOf(slot: number): Promise<number>;
  /** The replicas of the primary on `port`. */
  replicasOf(port: number): Promise<number[]>;
  /** SIGKILLs the node on `port`: no goodbye to the cluster, as a crash. */
  kill(port: number): Promise<void>;
  /** SIGSTOPs the node on `port`: its connections stay open and nothing answers (a frozen VM, a black-holed network). */
  freeze(port: number): void;
  /** SIGCONTs a frozen node. */
  thaw(port: number): void;
  /** Thaws every frozen node and revives every killed one, then waits until the cluster is healthy: a test's faults end with it. */
  restore(): Promise<void>;
  /** Starts the node on `port` again with its nodes.conf, so it rejoins (empty: no persistence). */
  revive(port: number): Promise<void>;
  /** Waits until every running node reports cluster_state:ok and sees every slot served by a live primary. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Moves one slot, with its keys, to the primary on `toPort` (CLUSTER SETSLOT and MIGRATE). */
  moveSlot(slot: number, toPort: number): Promise<void>;
  /** A plain client on one node (not cluster-aware), for CLUSTER and INFO commands. */
  node(port: number): Redis;
  /** Empties every primary (FLUSHALL): no lease or last frame left by an earlier test. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether this machine can run a cluster: both `redis-server` and `redis-cli` on the PATH. */
export function redisClusterBinariesPresent(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A real Redis Cluster on 127.0.0.1: six `redis-server` processes (three primaries, three
 * replicas) on free ports, their nodes.conf files in a temp dir, joined with
 * `redis-cli --cluster create --cluster-replicas 1`. Pair with `stop()`.
 *
 * `cluster-require-full-coverage no`, as docs/scaling.md recommends: while a whole shard is
 * down the other shards keep serving their slots.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'barcast-cluster-'));
  const ports: number[] = [];
  const busPorts: number[] = [];
  // Taken one by one and held apart, so no two nodes are handed the same port.
  while (ports.length < 6) {
    const [port, bus] = [await freePort(), await freePort()];
    if (port === bus || ports.includes(port) || busPorts.includes(port) || ports.includes(bus) || busPorts.includes(bus)) continue;
    ports.push(port);
    busPorts.push(bus);
  }
  const children = new Map<number, ChildProcess>();
  const frozen = new Set<number>();
  const clients = new Map<number, Redis>();
  const argsOf = (index: number): string[] => [
    '--cluster-enabled', 'yes',
    '--cluster-port', String(busPorts[index]),
    '--cluster-config-file', join(dir, `nodes-${ports[index]}.conf`),
    '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS),
    '--cluster-require-full-coverage', 'no',
    // A replica whose primary was away for long still takes over (tests kill them freely).
    '--cluster-replica-validity-factor', '0',
    '--dir', dir,
  ];
  const spawnNode = async (port: number): Promise<void> => {
    children.set(port, await spawnRedis(port, argsOf(ports.indexOf(port))));
  };
  const node = (port: number): Redis => {
    let client = clients.get(port);
    if (!client) {
      client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
      client.on('error', () => undefined);
      clients.set(port, client);
    }
    return client;
  };
  const running = (): number[] => ports.filter((port) => children.has(port));
  const command = async (port: number, ...args: (string | number)[]): Promise<unknown> => {
    const [name, ...rest] = args;
    return node(port).call(String(name), ...rest);
  };

  const view = async (): Promise<ClusterNodeView[]> => {
    let lastError: unknown;
    for (const port of running()) {
      try {
        return parseClusterNodes(String(await command(port, 'CLUSTER', 'NODES')));
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no cluster node answers CLUSTER NODES: ${String(lastError)}`);
  };

  const cluster: RedisCluster = {
    ports,
    seeds: ports.map((port) => `127.0.0.1:${port}`).join(','),
    view,
    async primaryOf(slot) {
      const owner = (await view()).find((entry) => entry.primary && !entry.failing && entry.slots.some(([from, to]) => slot >= from && slot <= to));
      if (!owner) throw new Error(`no live primary serves slot ${slot}`);
      return owner.port;
    },
    async replicasOf(port) {
      const nodes = await view();
      const primary = nodes.find((entry) => entry.port === port);
      return nodes.filter((entry) => primary && entry.primaryId === primary.id).map((entry) => entry.port);
    },
    async kill(port) {
      const child = children.get(port);
      if (!child) return;
      children.delete(port);
      clients.get(port)?.disconnect();
      clients.delete(port);
      await stopChild(child, 'SIGKILL');
    },
    freeze(port) {
      children.get(port)?.kill('SIGSTOP');
      frozen.add(port);
    },
    thaw(port) {
      children.get(port)?.kill('SIGCONT');
      frozen.delete(port);
    },
    async restore() {
      for (const port of [...frozen]) cluster.thaw(port);
      for (const port of ports) await cluster.revive(port);
      await cluster.waitHealthy();
    },
    async revive(port) {
      if (!children.has(port)) await spawnNode(port);
    },
    async waitHealthy(timeoutMs = STATE_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      let last: string;
      for (;;) {
        try {
          const states = await Promise.all(running().map(async (port) => String(await command(port, 'CLUSTER', 'INFO'))));
          const views = await Promise.all(running().map(async (port) => parseClusterNodes(String(await command(port, 'CLUSTER', 'NODES')))));
          const ok = states.every((info) => /cluster_state:ok/.test(info));
          const covered = views.every((nodes) => coveredByLivePrimaries(nodes, running()));
          if (ok && covered) return;
          last = `states ok: ${ok}, every slot served by a live primary in every view: ${covered}`;
        } catch (error) {
          last = String(error);
        }
        if (Date.now() > deadline) throw new Error(`the Redis cluster did not become healthy within ${timeoutMs} ms (${last})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async moveSlot(slot, toPort) {
      const nodes = await view();
      const fromPort = await cluster.primaryOf(slot);
      if (fromPort === toPort) return;
      const idOf = (port: number): string => nodes.find((entry) => entry.port === port)!.id;
      const [fromId, toId] = [idOf(fromPort), idOf(toPort)];
      // The order redis-cli --cluster reshard uses: importing first, then migrating, keys, owner.
      await command(toPort, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
      await command(fromPort, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
      for (;;) {
        const keys = (await command(fromPort, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)) as string[];
        if (keys.length === 0) break;
        await command(fromPort, 'MIGRATE', '127.0.0.1', toPort, '', 0, 5_000, 'REPLACE', 'KEYS', ...keys);
      }
      await command(toPort, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
      await command(fromPort, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
      for (const entry of nodes) {
        if (entry.primary && !entry.failing && entry.port !== fromPort && entry.port !== toPort) {
          await command(entry.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId).catch(() => undefined);
        }
      }
    },
    node,
    async flushAll() {
      // Each node's own ROLE: another node's view may still call a just-demoted node primary.
      const roles = await Promise.all(running().map(async (port) => [port, ((await command(port, 'ROLE')) as unknown[])[0]] as const));
      await Promise.all(roles.filter(([, role]) => role === 'master').map(([port]) => command(port, 'FLUSHALL')));
    },
    async stop() {
      for (const client of clients.values()) client.disconnect();
      clients.clear();
      await Promise.all([...children.values()].map((child) => stopChild(child, 'SIGKILL')));
      children.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    for (const port of ports) await spawnNode(port);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: STATE_TIMEOUT_MS,
    });
    await cluster.waitHealthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Parses CLUSTER NODES: `<id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slot>...`. */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id, address, flags, primaryId, , , , , ...slots] = line.trim().split(' ');
      const flagList = flags!.split(',');
      return {
        id: id!,
        port: Number(address!.split('@')[0]!.split(':').at(-1)),
        primary: flagList.includes('master'),
        failing: flagList.includes('fail') || flagList.includes('fail?'),
        primaryId: primaryId === '-' ? undefined : primaryId,
        // Slots being migrated show as [slot->-id]; only plain ranges count as served.
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot) => {
            const [from, to] = slot.split('-').map(Number);
            return [from!, to ?? from!] as const;
          }),
      };
    });
}

function coveredByLivePrimaries(nodes: readonly ClusterNodeView[], runningPorts: readonly number[]): boolean {
  const served = nodes
    .filter((entry) => entry.primary && !entry.failing && runningPorts.includes(entry.port))
    .flatMap((entry) => entry.slots)
    .reduce((sum, [from, to]) => sum + (to - from + 1), 0);
  return served === 16_384;
}

/**
 * A cluster for the whole test file (started in beforeAll, stopped in afterAll). Read
 * `handle.cluster` inside tests and hooks. Use with `describe.skipIf(!redisClusterBinariesPresent())`.
 */
export function useRedisCluster(): { readonly cluster: RedisCluster } {
  const handle = {} as { cluster: RedisCluster };
  beforeAll(async () => {
    handle.cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await handle.cluster?.stop();
  });
  return handle;
}

const NO_REDIS_BINARIES = 'SKIPPED: redis-server and redis-cli are not installed (apt-get install redis-server redis-tools)';

/**
 * `describe` for a suite that needs a real Redis Cluster: skipped, with the reason in its
 * title (so the test report says why), only when the redis binaries are missing.
 */
export function describeOnRedisCluster(title: string, suite: () => void): void {
  const present = redisClusterBinariesPresent();
  describe.skipIf(!present)(present ? title : `${title} (${NO_REDIS_BINARIES})`, suite);
}

/** Test intervals are short so failover and recovery take seconds, not minutes. */
export const CLUSTER_ENGINE_INTERVAL_MS = 100;

/**
 * Config overrides for an in-process gateway or generator on the Redis Cluster `seeds`
 * (REDIS_CLUSTER_NODES), with a catalog of `symbols` at resolution 1.
 */
export function clusterEngineOverrides(
  role: 'gateway' | 'generator',
  seeds: string,
  symbols: readonly string[],
  intervalMs = CLUSTER_ENGINE_INTERVAL_MS,
): Record<string, unknown> {
  return {
    cluster: { role, redisClusterNodes: seeds, reconnectMaxMs: 200 },
    broadcaster: { interval: intervalMs / 1000, symbols, resolutions: ['1'] },
  };
}

/** A cluster-aware client for a test to look at the cluster's keys from outside. */
export function clusterClient(seeds: string): Cluster {
  const cluster = new Cluster(
    seeds.split(',').map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })),
    { redisOptions: { maxRetriesPerRequest: 1 }, slotsRefreshInterval: 500 },
  );
  cluster.on('error', () => undefined);
  return cluster;
}

/**
 * The series a client received carries on: in order, no update twice, time never goes back,
 * and a bar opens on the previous bar's close (or keeps its open while it is the same bar).
 */
export function expectContinuousSeries(updates: readonly ServerMessage[]): void {
  const stamps = updates.map((update) => update.ts ?? 0);
  expect(stamps).toEqual([...new Set(stamps)].sort((a, b) => a - b));
  const bars = updates.map((update) => update.payload as unknown as Bar);
  for (let index = 1; index < bars.length; index += 1) {
    const [previous, current] = [bars[index - 1]!, bars[index]!];
    expect(current.time).toBeGreaterThanOrEqual(previous.time);
    expect(current.open).toBe(current.time === previous.time ? previous.open : previous.close);
  }
}
