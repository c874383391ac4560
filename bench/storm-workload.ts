import type { TransportEngine } from '../src/config/schema.js';
import { freePort } from '../test/support/free-port.js';
import { startHaproxy, type Haproxy } from '../test/support/haproxy.js';
import { progress } from './harness.js';
import { Child } from './ipc.js';
import type { StormBack, StormClientReply, StormClientRequest, StormClock, StormServerReply, StormServerRequest, StormVerify } from './storm-ipc.js';
import { summarizeLatency, type LatencySummary } from './stats.js';
import { symbols } from './topics.js';

/** How the crowd reaches barcast: all from one address (a NAT), or through HAProxy speaking PROXY protocol v2. */
export type StormPath = 'nat' | 'haproxy';

export interface StormSize {
  readonly clients: number;
  /** Wall ms the clients stay connected before the restart (bars close meanwhile, at the clock's speed). */
  readonly settleMs: number;
  /** The longest the crowd may take to come back before the run counts the missing ones. */
  readonly backTimeoutMs: number;
}

export interface StormResult {
  readonly engine: TransportEngine;
  readonly path: StormPath;
  readonly clients: number;
  /** Wall ms from the stop request until the new process said it listens (its answer can lag: the crowd is on it at once). */
  readonly downMs: number;
  /** Wall ms from the stop request (the restart's start) until the last client had its resubscribe answered. */
  readonly allBackMs: number;
  /** The same per client. */
  readonly backMs: LatencySummary;
  readonly missing: number;
  readonly attempts: number;
  readonly refused503: number;
  readonly replayed: number;
  readonly verify: Omit<StormVerify, 'type'>;
}

/** Clients per client process: with their sockets, well under a process's 20,000 descriptors. */
const CLIENTS_PER_PROCESS = 5_000;
/** Clients per HAProxy process: each holds two descriptors per client (its side and barcast's). */
const CLIENTS_PER_HAPROXY = 5_000;
const SEED = 42;
/**
 * Simulated time at 20x: a one-minute bar closes every 3 wall seconds, so bars close while the
 * crowd is away. Not faster: a server loop that lags a second on a loaded machine would be a
 * bar behind at 60x.
 */
const SPEED = 20;
/** One update per topic every 0.5 wall seconds (10 s simulated). */
const INTERVAL_MS = 500;
const TOPICS = symbols(10).map((symbol) => ({ symbol, resolution: '1' }));

type StormServer = Child<StormServerRequest, StormServerReply>;
type StormClients = Child<StormClientRequest, StormClientReply>;

/**
 * W10, the reconnect storm: `clients` clients on one barcast process (default limits) are
 * dropped by a restart (the process stops, sending 1001 to all; a new one listens on the same
 * port), reconnect with the typed client's full-jitter backoff and resubscribe with `since`.
 * Measured: how long until every one is back, and whether every one's final bars equal history.
 */
export async function runStorm(engine: TransportEngine, path: StormPath, size: StormSize): Promise<StormResult> {
  const clock: StormClock = { speed: SPEED, wallEpoch: Date.now(), simEpoch: Date.now() };
  const behindHaproxy = path === 'haproxy';
  const serverStart = (port: number): Extract<StormServerRequest, { type: 'start' }> => ({
    type: 'start',
    engine,
    port,
    symbols: TOPICS.map((topic) => topic.symbol),
    intervalMs: INTERVAL_MS,
    clock,
    trustedProxies: behindHaproxy ? ['127.0.0.1'] : [],
    proxyProtocol: behindHaproxy,
  });
  let server: StormServer = Child.fork('./storm-server.ts');
  const { port } = await server.request(serverStart(await freePort()));
  const haproxies: Haproxy[] = [];
  const loads: StormClients[] = [];
  try {
    if (behindHaproxy) {
      const count = Math.ceil(size.clients / CLIENTS_PER_HAPROXY);
      for (let index = 0; index < count; index += 1) haproxies.push(await startHaproxy(port, { maxconn: CLIENTS_PER_HAPROXY + 500 }));
    }
    const urls = behindHaproxy ? haproxies.map((haproxy) => `ws://127.0.0.1:${haproxy.ports['proxy-v2']}/api/v1/ws`) : [`ws://127.0.0.1:${port}/api/v1/ws`];
    const processes = Math.max(1, Math.ceil(size.clients / CLIENTS_PER_PROCESS));
    const perProcess = Math.ceil(size.clients / processes);
    for (let index = 0; index < processes; index += 1) loads.push(Child.fork('./storm-clients.ts'));
    const t0 = Date.now();
    await Promise.all(
      loads.map((load, index) =>
        load.request({ type: 'open', urls, topics: TOPICS, count: Math.min(perProcess, size.clients - index * perProcess), offset: index * perProcess }, 600_000),
      ),
    );
    progress(`  W10 ${engine} ${path}: ${size.clients} clients subscribed in ${Date.now() - t0} ms`);
    await new Promise((resolve) => setTimeout(resolve, size.settleMs));

    // The restart: the next process is loaded first (a supervisor's new process is ready to bind), then the old one stops (1001 to all) and the new one listens.
    const next: StormServer = Child.fork('./storm-server.ts');
    await next.request({ type: 'ready' });
    const stoppedAt = Date.now();
    // Not Child.stop(): its 10 s before a kill would cap what is measured. The child exits once it has answered.
    await server.request({ type: 'stop' }, 120_000);
    await server.kill();
    server = next;
    await server.request(serverStart(port));
    const listeningAt = Date.now();
    const backs: StormBack[] = await Promise.all(loads.map((load) => load.request({ type: 'back', since: stoppedAt, timeoutMs: size.backTimeoutMs }, size.backTimeoutMs + 10_000)));
    const backAt = backs.flatMap((one) => one.backAt);
    const lastBack = Math.max(...backAt);
    progress(`  W10 ${engine} ${path}: down ${listeningAt - stoppedAt} ms, all back ${lastBack - stoppedAt} ms after the restart began`);
    // Another bar closes (3 wall seconds at 20x); then every client must hold every bar closed a bar before now.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const until = clock.simEpoch + (Date.now() - clock.wallEpoch) * SPEED - 60_000;
    const verifies = await Promise.all(loads.map((load) => load.request({ type: 'verify', seed: SEED, until, timeoutMs: 15_000 }, 30_000)));
    const sum = (pick: (back: StormBack) => number): number => backs.reduce((total, one) => total + pick(one), 0);
    return {
      engine,
      path,
      clients: size.clients,
      downMs: listeningAt - stoppedAt,
      allBackMs: lastBack - stoppedAt,
      backMs: summarizeLatency(backAt.map((at) => at - stoppedAt)),
      missing: sum((one) => one.missing),
      attempts: sum((one) => one.attempts),
      refused503: sum((one) => one.refused503),
      replayed: sum((one) => one.replayed),
      verify: {
        exact: verifies.reduce((total, one) => total + one.exact, 0),
        inexact: verifies.reduce((total, one) => total + one.inexact, 0),
        bars: verifies.reduce((total, one) => total + one.bars, 0),
        ...(verifies.find((one) => one.firstProblem)?.firstProblem ? { firstProblem: verifies.find((one) => one.firstProblem)!.firstProblem! } : {}),
      },
    };
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
    await Promise.all(haproxies.map((haproxy) => haproxy.stop()));
    await server.kill();
  }
}
