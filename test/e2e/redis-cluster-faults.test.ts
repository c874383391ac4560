import { afterEach, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { topicClusterKeys } from '../../src/engines/redis/keys.js';
import { topicSlot } from '../../src/engines/redis-cluster/topic-slot.js';
import { clockBeforeBoundary } from '../support/clock.js';
import { eventually, httpStatus } from '../support/cluster.js';
import {
  CLUSTER_ENGINE_INTERVAL_MS,
  CLUSTER_NODE_TIMEOUT_MS,
  clusterEngineOverrides,
  describeOnRedisCluster,
  expectContinuousSeries,
  useRedisCluster,
} from '../support/redis-cluster.js';
import { SeriesRecorder } from '../support/series-recorder.js';
import { isType, isUpdateOf, type ServerMessage, type TestApp as RunningApp, testApps, TestClient } from '../../src/testing/index.js';

// One topic on each shard of a fresh cluster (slots 4122, 6051, 14922).
const SYMBOLS = ['AAPL', 'GOOGL', 'ORCL'] as const;
const TOPICS = SYMBOLS.map((symbol) => `bars:${symbol}:1`);
const MINUTE = 60_000;
/**
 * The longest pause docs/scaling.md promises for a topic whose shard fails over or moves,
 * with the tests' node timeout: detection and election, then the slot map reread and the
 * subscription moved. Other shards' topics do not pause.
 */
const FAULT_PAUSE_MS = 4 * CLUSTER_NODE_TIMEOUT_MS + 4_000;
/**
 * A topic on a healthy shard keeps coming while another shard is away: at least this many
 * updates during the outage, where the paused topic gets at most the one in flight (a low
 * floor: the test machine is shared and loaded, and an outage lasts a couple of seconds).
 */
const HEALTHY_UPDATES = 5;

describeOnRedisCluster('the Redis Cluster engine through cluster faults', () => {
  const handle = useRedisCluster();
  const apps = testApps();
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await apps.stopAll();
    await handle.cluster.restore(); // every node back, whatever the test did
    // No lease or last frame carries over: a test on a shifted clock leaves stamps in the future.
    await handle.cluster.flushAll();
  });

  /** Two gateways, two generators, a client on each gateway subscribed to every topic. */
  async function liveCluster(
    intervalMs = CLUSTER_ENGINE_INTERVAL_MS,
  ): Promise<{ readonly fronts: RunningApp[]; readonly generators: RunningApp[]; readonly watchers: TestClient[] }> {
    const member = (role: 'gateway' | 'generator', owner?: string) =>
      apps.start({ config: clusterEngineOverrides(role, handle.cluster.seeds, SYMBOLS, intervalMs), ...(owner ? { clusterOwner: owner } : {}) });
    const started = await Promise.all([member('gateway'), member('gateway'), member('generator', 'gen-1'), member('generator', 'gen-2')]);
    const fronts = started.slice(0, 2);
    const watchers = await Promise.all(fronts.map((front) => TestClient.connect(front.wsUrl)));
    clients.push(...watchers);
    for (const watcher of watchers) for (const symbol of SYMBOLS) watcher.subscribeBars(symbol);
    for (const watcher of watchers) for (const topic of TOPICS) await watcher.waitForCount(isUpdateOf(topic), 3, { timeoutMs: 10_000 });
    return { fronts, generators: started.slice(2), watchers };
  }

  const updatesOf = (client: TestClient, topic: string, from = 0): ServerMessage[] => client.messages.slice(from).filter(isUpdateOf(topic));
  /**
   * The longest time between two consecutive updates of `topic` the client received from
   * index `from` on, counting from the last one before `from`: the pause a fault caused.
   */
  const longestGap = (client: TestClient, topic: string, from: number): number => {
    const previous = updatesOf(client, topic).filter((update) => client.messages.indexOf(update) < from).at(-1);
    const stamps = [...(previous ? [previous] : []), ...updatesOf(client, topic, from)].map((update) => update.ts ?? 0);
    return Math.max(0, ...stamps.slice(1).map((stamp, index) => stamp - stamps[index]!));
  };
  const readyStatus = (app: RunningApp): Promise<number> => httpStatus(`${app.httpUrl}/ready`);
  const readiness = async (app: RunningApp): Promise<{ status: string; reason?: string; stale?: string[] }> =>
    (await fetch(`${app.httpUrl}/ready`)).json() as Promise<{ status: string; reason?: string; stale?: string[] }>;
  const becomesReady = (app: RunningApp) => eventually(async () => ((await readyStatus(app)) === 200 ? true : undefined), 'the member to be ready again', 10_000);

  it('carries every topic through the failover of a primary, pausing only the topic on that shard', async () => {
    const { fronts, generators, watchers } = await liveCluster();
    const [victimTopic, ...otherTopics] = [TOPICS[0]!, TOPICS[1]!, TOPICS[2]!];
    const primary = await handle.cluster.primaryOf(topicSlot(victimTopic));
    const [replica] = await handle.cluster.replicasOf(primary);
    const before = watchers.map((watcher) => watcher.messages.length);

    await handle.cluster.kill(primary);
    await eventually(async () => ((await handle.cluster.primaryOf(topicSlot(victimTopic)).catch(() => undefined)) === replica ? true : undefined), 'the replica to be promoted', 15_000);
    const outage = watchers.map((watcher) => watcher.messages.length);
    for (const [index, watcher] of watchers.entries()) {
      await watcher.waitForCount(isUpdateOf(victimTopic), 3, { from: before[index]!, timeoutMs: FAULT_PAUSE_MS });
    }
    for (const [index, watcher] of watchers.entries()) {
      expect(longestGap(watcher, victimTopic, before[index]!)).toBeLessThanOrEqual(FAULT_PAUSE_MS);
      // While the victim's shard failed over, it paused and the other shards' topics went on.
      const during = watcher.messages.slice(before[index]!, outage[index]!);
      expect(during.filter(isUpdateOf(victimTopic)).length).toBeLessThanOrEqual(2);
      for (const topic of otherTopics) {
        expect(during.filter(isUpdateOf(topic)).length).toBeGreaterThanOrEqual(HEALTHY_UPDATES);
      }
      for (const topic of TOPICS) expectContinuousSeries(updatesOf(watcher, topic));
      expect(watcher.socket.readyState).toBe(watcher.socket.OPEN);
    }
    for (const app of [...fronts, ...generators]) await becomesReady(app);

  });

  it("keeps a bar's close exact through a failover of its shard: final once, on history's values", async () => {
    // The one-minute boundary falls while the topic's primary is down.
    const { scheduler, boundary } = clockBeforeBoundary(4_000, MINUTE);
    const member = (role: 'gateway' | 'generator') => apps.start({ config: clusterEngineOverrides(role, handle.cluster.seeds, SYMBOLS), scheduler });
    const [front] = await Promise.all([member('gateway'), member('generator'), member('generator')]);
    const client = await TestClient.connect(front.wsUrl);
    clients.push(client);
    const topic = TOPICS[0]!;
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(topic), 3);
    const primary = await handle.cluster.primaryOf(topicSlot(topic));
    expect(scheduler.now()).toBeLessThan(boundary - 1_000); // the kill comes before the close

    await handle.cluster.kill(primary);
    const isNextBar = (message: ServerMessage) => isUpdateOf(topic)(message) && (message.payload as unknown as Bar).time === boundary;
    await client.waitFor(isNextBar, { timeoutMs: FAULT_PAUSE_MS + 4_000 });
    await handle.cluster.revive(primary);

    const recorder = new SeriesRecorder();
    for (const update of updatesOf(client, topic)) recorder.apply(update);
    const closing = recorder.series().find((entry) => entry.bar.time === boundary - MINUTE);
    expect(closing?.final).toBe(true);
    expect(recorder.finalsSeen.get(boundary - MINUTE)).toBe(1);
    expect(recorder.afterFinal).toEqual([]);
    const response = await fetch(`${front.httpUrl}/api/v1/bars?symbol=AAPL&resolution=1&countback=1&to=${boundary}`);
    const [historical] = ((await response.json()) as { bars: Bar[] }).bars;
    expect(closing!.bar).toEqual(historical);
    expect(updatesOf(client, topic).find(isNextBar)!.payload).toMatchObject({ open: historical!.close });
  });

  it('carries the other shards through a primary that freezes (no reply, connections open) until it is failed over', async () => {
    // An interval of 500 ms: a slot waits for Redis half an interval, never under 250 ms.
    const intervalMs = 500;
    const { watchers } = await liveCluster(intervalMs);
    const [victimTopic, ...otherTopics] = [TOPICS[1]!, TOPICS[0]!, TOPICS[2]!];
    const primary = await handle.cluster.primaryOf(topicSlot(victimTopic));
    const [replica] = await handle.cluster.replicasOf(primary);
    const before = watchers.map((watcher) => watcher.messages.length);

    const frozenAt = Date.now();
    handle.cluster.freeze(primary);
    try {
      await eventually(async () => ((await handle.cluster.primaryOf(topicSlot(victimTopic)).catch(() => undefined)) === replica ? true : undefined), 'the replica to be promoted', 15_000);
      const outage = watchers.map((watcher) => watcher.messages.length);
      const outageMs = Date.now() - frozenAt;
      for (const [index, watcher] of watchers.entries()) {
        await watcher.waitForCount(isUpdateOf(victimTopic), 3, { from: outage[index]!, timeoutMs: FAULT_PAUSE_MS });
        const during = watcher.messages.slice(before[index]!, outage[index]!);
        for (const topic of otherTopics) {
          expect(during.filter(isUpdateOf(topic)).length).toBeGreaterThanOrEqual(Math.min(HEALTHY_UPDATES, Math.floor((0.5 * outageMs) / intervalMs)));
        }
        for (const topic of TOPICS) expectContinuousSeries(updatesOf(watcher, topic));
      }
    } finally {
      handle.cluster.thaw(primary); // it rejoins as a replica
    }
  });

  it('follows a slot that carries a live topic to its new shard', async () => {
    const { watchers } = await liveCluster();
    const topic = TOPICS[1]!;
    const to = await handle.cluster.primaryOf(topicSlot(TOPICS[2]!));
    const before = watchers.map((watcher) => watcher.messages.length);

    await handle.cluster.moveSlot(topicSlot(topic), to);
    expect(await handle.cluster.primaryOf(topicSlot(topic))).toBe(to);
    const movedAt = watchers.map((watcher) => watcher.messages.length);
    for (const [index, watcher] of watchers.entries()) {
      await watcher.waitForCount(isUpdateOf(topic), 3, { from: movedAt[index]!, timeoutMs: FAULT_PAUSE_MS });
      expect(longestGap(watcher, topic, before[index]!)).toBeLessThanOrEqual(FAULT_PAUSE_MS);
      expectContinuousSeries(updatesOf(watcher, topic));
    }
    const [, count] = (await handle.cluster.node(to).call('PUBSUB', 'SHARDNUMSUB', `barcast:{${topic}}`)) as [string, number];
    expect(count).toBe(2);
  });

  it('keeps the other shards live while a whole shard is down, names its topic in /ready, and resumes it once it is back', async () => {
    const { fronts, generators, watchers } = await liveCluster();
    const topic = TOPICS[2]!;
    const primary = await handle.cluster.primaryOf(topicSlot(topic));
    const shard = [primary, ...(await handle.cluster.replicasOf(primary))];
    // The topics served elsewhere (an earlier test may have moved a slot onto this shard).
    const owners = await Promise.all(TOPICS.map((other) => handle.cluster.primaryOf(topicSlot(other))));
    const others = TOPICS.filter((_other, index) => owners[index] !== primary);
    expect(others.length).toBeGreaterThan(0);

    for (const port of shard) await handle.cluster.kill(port);
    const downAt = watchers.map((watcher) => watcher.messages.length);
    // A while: well past the node timeout, so the cluster marks the shard failed.
    await new Promise((resolve) => setTimeout(resolve, 3 * CLUSTER_NODE_TIMEOUT_MS));
    for (const [index, watcher] of watchers.entries()) {
      for (const other of others) {
        expect(updatesOf(watcher, other, downAt[index]!).length).toBeGreaterThanOrEqual(HEALTHY_UPDATES);
      }
      expect(updatesOf(watcher, topic, downAt[index]!).length).toBeLessThanOrEqual(1); // at most one in flight
    }
    // A gateway names the stale topic (FANOUT_STALE_AFTER_INTERVALS) and only that one, and
    // stays ready: its other topics flow, and draining every gateway would not bring the shard
    // back. A generator that leads a topic of a live shard still publishes it and stays ready
    // (one that led only the dead shard's topics would say its publishes fail).
    for (const front of fronts) {
      const answer = await readiness(front);
      expect(answer.status).toBe('ready');
      expect(answer.stale).toContain(topic);
      for (const other of others) expect(answer.stale).not.toContain(other);
    }
    const leaders = await Promise.all(
      others.map(async (other) => handle.cluster.node(await handle.cluster.primaryOf(topicSlot(other))).get(topicClusterKeys(other).lease)),
    );
    expect(leaders.some((leader) => leader !== null)).toBe(true);
    for (const [index, generator] of generators.entries()) {
      if (leaders.includes(`gen-${index + 1}`)) expect(await readiness(generator)).toEqual({ status: 'ready' });
    }

    for (const port of shard) await handle.cluster.revive(port);
    const backAt = watchers.map((watcher) => watcher.messages.length);
    for (const [index, watcher] of watchers.entries()) {
      await watcher.waitForCount(isUpdateOf(topic), 3, { from: backAt[index]!, timeoutMs: 2 * FAULT_PAUSE_MS });
      expectContinuousSeries(updatesOf(watcher, topic));
      expect(watcher.socket.readyState).toBe(watcher.socket.OPEN);
    }
    for (const front of fronts) await becomesReady(front);
  });

  it('reports not ready while no node of the cluster can be reached, and still answers its clients', async () => {
    const nowhere = '127.0.0.1:1,127.0.0.1:2';
    const front = await apps.start({ config: clusterEngineOverrides('gateway', nowhere, SYMBOLS) });
    const generator = await apps.start({ config: clusterEngineOverrides('generator', nowhere, SYMBOLS) });
    expect(await readyStatus(front)).toBe(503);
    expect(await readyStatus(generator)).toBe(503);
    expect(await httpStatus(`${generator.httpUrl}/health`)).toBe(200);
    const client = await TestClient.connect(front.wsUrl);
    clients.push(client);
    client.subscribeBars('AAPL');
    const response = await client.waitFor(isType('bars.subscribe.response'));
    expect(response.payload).toMatchObject({ status: 'ok', topic: TOPICS[0] });
  });
});
