import { Cluster } from 'ioredis';
import { asyncScheduler, firstValueFrom, filter, type Subscription } from 'rxjs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RedisChannels, type ChannelEvent } from '../../../src/engines/redis/channel-subscriber.js';
import { topicClusterKeys } from '../../../src/engines/redis/keys.js';
import { closeClusterConnection, createClusterConnection } from '../../../src/engines/redis-cluster/cluster-connection.js';
import { shardDemandedTopics } from '../../../src/engines/redis-cluster/shard-demand.js';
import { shardedPubSub } from '../../../src/engines/redis-cluster/sharded-pubsub.js';
import { topicSlot } from '../../../src/engines/redis-cluster/topic-slot.js';
import { eventually } from '../../support/cluster.js';
import { memoryLogger } from '../../support/memory-logger.js';
import { describeOnRedisCluster, useRedisCluster } from '../../support/redis-cluster.js';

// One topic on each of the three shards of a fresh cluster (slots 4122, 6051, 14922).
const TOPICS = ['bars:AAPL:1', 'bars:GOOGL:1', 'bars:ORCL:1'] as const;
const channelOf = (topic: string): string => topicClusterKeys(topic).channel;
const demandOptions = (reportError: (error: unknown) => void) => ({ reportError, timeoutMs: 1_000, scheduler: asyncScheduler });

describeOnRedisCluster('sharded pub/sub channels and demand on a real six-node Redis Cluster', () => {
  const handle = useRedisCluster();
  let gateway: Cluster;
  let publisher: Cluster;
  let channels: RedisChannels;
  const errors: unknown[] = [];
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    const nodes = handle.cluster.ports.slice(0, 1).map((port) => ({ host: '127.0.0.1', port }));
    gateway = createClusterConnection({ nodes, reconnectMaxMs: 200, logger: memoryLogger().logger, name: 'test-gateway' });
    publisher = new Cluster(nodes, { enableOfflineQueue: true });
    publisher.on('error', () => undefined);
    channels = new RedisChannels(shardedPubSub(gateway), (error) => errors.push(error));
    await eventually(() => (gateway.status === 'ready' ? true : undefined), 'the gateway connection to be ready');
  });
  afterEach(() => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
  });
  afterAll(() => {
    closeClusterConnection(gateway);
    publisher?.disconnect();
  });

  /** Subscribes `topic`'s channel and records what its stream sees. */
  function listen(topic: string): ChannelEvent[] {
    const events: ChannelEvent[] = [];
    subscriptions.push(channels.messages(channelOf(topic)).subscribe((event) => events.push(event)));
    return events;
  }
  const subscribedCount = (events: readonly ChannelEvent[]): number => events.filter((event) => event.type === 'subscribed').length;
  const texts = (events: readonly ChannelEvent[]): string[] => events.flatMap((event) => (event.type === 'message' ? [event.text] : []));
  const shardNumsub = async (port: number, topic: string): Promise<number> =>
    Number(((await handle.cluster.node(port).call('PUBSUB', 'SHARDNUMSUB', channelOf(topic))) as unknown[])[1]);
  /** Publishes until `events` has received one of this test's messages: a publish may precede the subscription. */
  async function publishUntilSeen(topic: string, events: readonly ChannelEvent[], label: string): Promise<void> {
    let count = 0;
    await eventually(async () => {
      count += 1;
      await publisher.spublish(channelOf(topic), `${label}-${count}`).catch(() => undefined);
      return texts(events).some((text) => text.startsWith(`${label}-`)) ? true : undefined;
    }, `a message ${label} on ${topic}`, 15_000);
  }

  it('puts the three topics on three shards and every key of a topic in one slot', async () => {
    const primaries = await Promise.all(TOPICS.map((topic) => handle.cluster.primaryOf(topicSlot(topic))));
    expect(new Set(primaries).size).toBe(3);
    for (const topic of TOPICS) {
      const slots = await Promise.all(
        Object.values(topicClusterKeys(topic)).map(async (key) => Number(await handle.cluster.node(primaries[0]!).call('CLUSTER', 'KEYSLOT', String(key)))),
      );
      expect(new Set(slots)).toEqual(new Set([topicSlot(topic)]));
    }
  });

  it('holds a sharded subscription only on the shard of a wanted topic, and demand is read there', async () => {
    const [aapl, orcl] = [TOPICS[0], TOPICS[2]];
    const events = listen(aapl);
    await eventually(() => (subscribedCount(events) > 0 ? true : undefined), 'the subscription to be confirmed');
    const owner = await handle.cluster.primaryOf(topicSlot(aapl));
    expect(await shardNumsub(owner, aapl)).toBe(1);
    const others = (await handle.cluster.view()).filter((node) => node.primary && node.port !== owner);
    for (const node of others) expect(await shardNumsub(node.port, aapl)).toBe(0);
    expect(await shardDemandedTopics(gateway, TOPICS, demandOptions((error) => errors.push(error)))).toEqual([aapl]);

    await publisher.spublish(channelOf(aapl), 'one');
    await publisher.spublish(channelOf(orcl), 'not wanted');
    await eventually(() => (texts(events).includes('one') ? true : undefined), 'the message on the wanted channel');
    expect(texts(events)).toEqual(['one']);

    subscriptions.splice(0).forEach((subscription) => subscription.unsubscribe());
    await eventually(async () => ((await shardNumsub(owner, aapl)) === 0 ? true : undefined), 'the gateway to SUNSUBSCRIBE');
    expect(await shardDemandedTopics(gateway, TOPICS, demandOptions((error) => errors.push(error)))).toEqual([]);
  });

  it('moves a subscription with its slot and confirms it again, so the stream refetches', async () => {
    const topic = TOPICS[1];
    const events = listen(topic);
    await eventually(() => (subscribedCount(events) > 0 ? true : undefined), 'the subscription to be confirmed');
    const from = await handle.cluster.primaryOf(topicSlot(topic));
    const to = await handle.cluster.primaryOf(topicSlot(TOPICS[2]));
    const confirmedBefore = subscribedCount(events);

    await handle.cluster.moveSlot(topicSlot(topic), to);
    await eventually(() => (subscribedCount(events) > confirmedBefore ? true : undefined), 'the subscription to be confirmed again', 10_000);
    await eventually(async () => ((await shardNumsub(to, topic)) === 1 ? true : undefined), 'the subscription on the new owner');
    expect(await shardNumsub(from, topic)).toBe(0);
    await publishUntilSeen(topic, events, 'after-move');
    expect(await shardDemandedTopics(gateway, TOPICS, demandOptions((error) => errors.push(error)))).toEqual([topic]);
  });

  it('resubscribes on the promoted replica when a primary is killed', async () => {
    const topic = TOPICS[0];
    const events = listen(topic);
    await eventually(() => (subscribedCount(events) > 0 ? true : undefined), 'the subscription to be confirmed');
    const primary = await handle.cluster.primaryOf(topicSlot(topic));
    const [replica] = await handle.cluster.replicasOf(primary);
    const confirmedBefore = subscribedCount(events);

    await handle.cluster.kill(primary);
    await eventually(async () => ((await handle.cluster.primaryOf(topicSlot(topic)).catch(() => undefined)) === replica ? true : undefined), 'the replica to be promoted', 15_000);
    await eventually(() => (subscribedCount(events) > confirmedBefore ? true : undefined), 'the subscription to be confirmed again', 15_000);
    await eventually(async () => ((await shardNumsub(replica!, topic)) === 1 ? true : undefined), 'the subscription on the promoted replica');
    await publishUntilSeen(topic, events, 'after-failover');
    expect(await shardDemandedTopics(gateway, TOPICS, demandOptions((error) => errors.push(error)))).toEqual([topic]);

    await handle.cluster.revive(primary);
    await handle.cluster.waitHealthy();
  });

  it('does not wait past its deadline for a primary that is frozen, and still reads the demand of the others', async () => {
    const wanted = TOPICS.map((topic) => listen(topic));
    await eventually(() => (wanted.every((events) => subscribedCount(events) > 0) ? true : undefined), 'every subscription to be confirmed');
    const owners = await Promise.all(TOPICS.map((topic) => handle.cluster.primaryOf(topicSlot(topic))));
    const frozen = owners[0]!;
    const reported: unknown[] = [];
    handle.cluster.freeze(frozen);
    try {
      const startedAt = Date.now();
      const demanded = await shardDemandedTopics(gateway, TOPICS, { reportError: (error) => reported.push(error), timeoutMs: 200, scheduler: asyncScheduler });
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      expect(demanded).toEqual(TOPICS.filter((_topic, index) => owners[index] !== frozen));
      expect(String(reported[0])).toMatch(/did not answer PUBSUB SHARDNUMSUB within 200 ms/);
    } finally {
      handle.cluster.thaw(frozen);
    }
  });

  it('reports a shard that cannot answer and still reads the demand of the others', async () => {
    const wanted = TOPICS.map((topic) => listen(topic));
    await eventually(() => (wanted.every((events) => subscribedCount(events) > 0) ? true : undefined), 'every subscription to be confirmed');
    const down = await handle.cluster.primaryOf(topicSlot(TOPICS[2]));
    const replicas = await handle.cluster.replicasOf(down);
    const owners = await Promise.all(TOPICS.map((topic) => handle.cluster.primaryOf(topicSlot(topic))));
    const elsewhere = TOPICS.filter((_topic, index) => owners[index] !== down);
    expect(elsewhere.length).toBeGreaterThan(0);
    const reported: unknown[] = [];
    // The whole shard: its primary and its replica.
    for (const port of [down, ...replicas]) await handle.cluster.kill(port);
    const demanded = await eventually(async () => {
      const topics = await shardDemandedTopics(gateway, TOPICS, demandOptions((error) => reported.push(error)));
      return reported.length > 0 ? topics : undefined;
    }, 'the dead shard to be reported', 10_000);
    expect(demanded).toEqual(elsewhere);

    for (const port of [down, ...replicas]) await handle.cluster.revive(port);
    await handle.cluster.waitHealthy();
    await eventually(async () => ((await shardDemandedTopics(gateway, TOPICS, demandOptions(() => undefined))).length === 3 ? true : undefined), 'the shard to count again', 15_000);
    await firstValueFrom(channels.messages(channelOf(TOPICS[2])).pipe(filter((event) => event.type === 'subscribed')));
  });
});
