import type { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { topicClusterKeys } from '../../src/engines/redis/keys.js';
import { topicSlot } from '../../src/engines/redis-cluster/topic-slot.js';
import { eventually } from '../support/cluster.js';
import {
  CLUSTER_ENGINE_INTERVAL_MS,
  clusterClient,
  clusterEngineOverrides,
  describeOnRedisCluster,
  expectContinuousSeries,
  useRedisCluster,
} from '../support/redis-cluster.js';
import { isUpdateOf, type ServerMessage, testApps, TestClient } from '../../src/testing/index.js';

// One topic on each shard of a fresh cluster (slots 4122, 6051, 14922), and one nobody asks for.
const SYMBOLS = ['AAPL', 'GOOGL', 'ORCL', 'MSFT'] as const;
const WANTED = ['bars:AAPL:1', 'bars:GOOGL:1', 'bars:ORCL:1'] as const;
const UNWANTED = 'bars:MSFT:1';

describeOnRedisCluster('the Redis Cluster engine: two gateways and two generators on six nodes', () => {
  const handle = useRedisCluster();
  const apps = testApps();
  const clients: TestClient[] = [];
  let inspect: Cluster;

  beforeAll(() => {
    inspect = clusterClient(handle.cluster.seeds);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await apps.stopAll();
    // Every test starts from an empty keyspace: no lease or last frame left by the previous one.
    await Promise.all(inspect.nodes('master').map((node) => node.flushall()));
  });
  afterAll(() => inspect.disconnect());

  const gateway = (intervalMs = CLUSTER_ENGINE_INTERVAL_MS) => apps.start({ config: clusterEngineOverrides('gateway', handle.cluster.seeds, SYMBOLS, intervalMs) });
  const generator = (owner: string, intervalMs = CLUSTER_ENGINE_INTERVAL_MS) =>
    apps.start({ config: clusterEngineOverrides('generator', handle.cluster.seeds, SYMBOLS, intervalMs), clusterOwner: owner });
  async function connect(wsUrl: string): Promise<TestClient> {
    const client = await TestClient.connect(wsUrl);
    clients.push(client);
    return client;
  }
  const updates = (client: TestClient, topic: string): ServerMessage[] => client.messages.filter(isUpdateOf(topic));
  const symbolOf = (topic: string): string => topic.split(':')[1]!;

  it('sends clients on different gateways identical updates of topics on all three shards, and generates none nobody wants', async () => {
    const owners = await Promise.all(WANTED.map((topic) => handle.cluster.primaryOf(topicSlot(topic))));
    expect(new Set(owners).size).toBe(3);
    const [gatewayA, gatewayB] = await Promise.all([gateway(), gateway(), generator('gen-1'), generator('gen-2')]);
    const [alice, bob] = await Promise.all([connect(gatewayA!.wsUrl), connect(gatewayB!.wsUrl)]);
    for (const topic of WANTED) {
      alice.subscribeBars(symbolOf(topic));
      bob.subscribeBars(symbolOf(topic));
    }
    for (const topic of WANTED) await Promise.all([alice.waitForCount(isUpdateOf(topic), 4), bob.waitForCount(isUpdateOf(topic), 4)]);

    for (const topic of WANTED) {
      const seenByBob = new Map(updates(bob, topic).map((update) => [update.ts, update]));
      const common = updates(alice, topic).filter((update) => seenByBob.has(update.ts));
      expect(common.length).toBeGreaterThanOrEqual(2);
      for (const update of common) expect(seenByBob.get(update.ts)).toEqual(update);
    }
    // Each topic's sharded channel has its two gateways on the primary of its slot, and only there.
    for (const [index, topic] of WANTED.entries()) {
      for (const node of inspect.nodes('master')) {
        const [, count] = (await node.call('PUBSUB', 'SHARDNUMSUB', topicClusterKeys(topic).channel)) as [string, number];
        expect(count).toBe(node.options.port === owners[index] ? 2 : 0);
      }
    }
    expect(await inspect.exists(topicClusterKeys(UNWANTED).lastFrame)).toBe(0);
    expect(await inspect.exists(topicClusterKeys(UNWANTED).lease)).toBe(0);
  });

  it('sends a new subscriber the current bar at once instead of after an interval', async () => {
    const slow = 500;
    const [gatewayA, gatewayB] = await Promise.all([gateway(slow), gateway(slow), generator('gen-1', slow)]);
    const alice = await connect(gatewayA.wsUrl);
    const carol = await connect(gatewayB.wsUrl);
    alice.subscribeBars('ORCL');
    await alice.waitForCount(isUpdateOf(WANTED[2]), 2);

    const seenBefore = updates(alice, WANTED[2]).map((update) => update.ts);
    carol.subscribeBars('ORCL');
    const first = await carol.waitFor(isUpdateOf(WANTED[2]), { timeoutMs: 400 });
    expect(seenBefore).toContain(first.ts);
  });

  it('hands a topic to the other generator within two intervals when the leader dies, continuing the series', async () => {
    const topic = WANTED[1];
    const [front, gen1, gen2] = await Promise.all([gateway(), generator('gen-1'), generator('gen-2')]);
    const client = await connect(front.wsUrl);
    client.subscribeBars(symbolOf(topic));
    await client.waitForCount(isUpdateOf(topic), 3);

    const leader = await inspect.get(topicClusterKeys(topic).lease);
    const [dying, survivor] = leader === 'gen-1' ? [gen1, 'gen-2'] : [gen2, 'gen-1'];
    await dying.app.stop(); // the lease is not released: it lapses
    const stoppedAt = client.messages.length;
    await eventually(async () => ((await inspect.get(topicClusterKeys(topic).lease)) === survivor ? true : undefined), 'the other generator to take the lease');
    await client.waitForCount(isUpdateOf(topic), 3, { from: stoppedAt });

    expectContinuousSeries(updates(client, topic));
    const stamps = updates(client, topic).map((update) => update.ts ?? 0);
    // At most two intervals without an update, plus scheduling slack on a loaded machine.
    const gaps = stamps.slice(1).map((stamp, index) => stamp - stamps[index]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3 * CLUSTER_ENGINE_INTERVAL_MS);
  });

  it('stops producing a topic once every gateway has unsubscribed it', async () => {
    const topic = WANTED[0];
    const [gatewayA, gatewayB] = await Promise.all([gateway(), gateway(), generator('gen-1')]);
    const [alice, bob] = await Promise.all([connect(gatewayA!.wsUrl), connect(gatewayB!.wsUrl)]);
    alice.subscribeBars('AAPL');
    bob.subscribeBars('AAPL');
    alice.subscribeBars('ORCL');
    await Promise.all([alice.waitForCount(isUpdateOf(topic), 2), bob.waitForCount(isUpdateOf(topic), 2)]);

    alice.unsubscribeBars('AAPL');
    bob.unsubscribeBars('AAPL');
    await eventually(async () => {
      const port = await handle.cluster.primaryOf(topicSlot(topic));
      const [, count] = (await handle.cluster.node(port).call('PUBSUB', 'SHARDNUMSUB', topicClusterKeys(topic).channel)) as [string, number];
      return count === 0 ? true : undefined;
    }, 'both gateways to SUNSUBSCRIBE');
    await alice.waitForCount(isUpdateOf(WANTED[2]), 3, { from: alice.messages.length });
    const settled = await inspect.get(topicClusterKeys(topic).lastFrame);
    await alice.waitForCount(isUpdateOf(WANTED[2]), 3, { from: alice.messages.length });
    expect(await inspect.get(topicClusterKeys(topic).lastFrame)).toBe(settled);
  });
});
