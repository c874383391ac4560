import type { Redis } from 'ioredis';
import { beforeEach, describe, expect, it } from 'vitest';
import { topicRedisKeys } from '../../src/engines/redis/keys.js';
import type { Bar } from '../../src/domain/bar.js';
import { mockLastBar } from '../../src/domain/mock-bar.js';
import type { BarGenerator } from '../../src/streams/bar-stream.js';
import { CLUSTER_INTERVAL_MS, clusterOverrides, eventually, recordChannel, redisTestBed } from '../support/cluster.js';
import type { RedisServer } from '../support/redis-server.js';
import { clockBeforeBoundary } from '../support/clock.js';
import type { TestClient } from '../../src/testing/index.js';
import { isUpdateOf, type ServerMessage } from '../../src/testing/index.js';

const AAPL = 'bars:AAPL:1';
/** How late a timer may run on this loaded machine before a failover counts as slow. */
const SCHEDULING_SLACK_MS = 50;
const MSFT = 'bars:MSFT:1';

const bed = redisTestBed();
const { apps } = bed;
let redisServer: RedisServer;
let redis: Redis;
beforeEach(() => {
  ({ server: redisServer, redis } = bed);
});

const gateway = (intervalMs = CLUSTER_INTERVAL_MS) => apps.start({ config: clusterOverrides('gateway', redisServer.url, intervalMs) });
const generator = (owner: string, intervalMs = CLUSTER_INTERVAL_MS) =>
  apps.start({ config: clusterOverrides('generator', redisServer.url, intervalMs), clusterOwner: owner });

const connect = (wsUrl: string): Promise<TestClient> => bed.connect(wsUrl);

const updates = (client: TestClient, topic: string, from = 0): ServerMessage[] => client.messages.slice(from).filter(isUpdateOf(topic));
const numsub = async (topic: string): Promise<number> =>
  Number(((await redis.pubsub('NUMSUB', topicRedisKeys(topic).channel)) as unknown[])[1]);

describe('a cluster of two gateways and two generators on one Redis', () => {
  it('reports what operators page on behind Redis: publish-to-receive lag on gateways, lease changes on generators', async () => {
    const [front, producer] = await Promise.all([gateway(), generator('gen-1')]);
    const client = await connect(front.wsUrl);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 3);
    const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();
    const lagCount = /^barcast_redis_publish_lag_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(await scrape(front.httpUrl));
    expect(Number(lagCount?.[1])).toBeGreaterThanOrEqual(3);
    const leases = /^barcast_redis_lease_changes_total\{[^}]*change="acquired"[^}]*\} (\d+)/m.exec(await scrape(producer.httpUrl));
    expect(Number(leases?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('sends clients on different gateways identical updates and generates no topic nobody wants', async () => {
    const [gatewayA, gatewayB] = await Promise.all([gateway(), gateway(), generator('gen-1'), generator('gen-2')]);
    const [alice, bob] = await Promise.all([connect(gatewayA!.wsUrl), connect(gatewayB!.wsUrl)]);
    alice.subscribeBars('AAPL');
    bob.subscribeBars('AAPL');
    await Promise.all([alice.waitForCount(isUpdateOf(AAPL), 4), bob.waitForCount(isUpdateOf(AAPL), 4)]);

    const seenByBob = new Map(updates(bob, AAPL).map((update) => [update.ts, update]));
    const common = updates(alice, AAPL).filter((update) => seenByBob.has(update.ts));
    expect(common.length).toBeGreaterThanOrEqual(2);
    for (const update of common) expect(seenByBob.get(update.ts)).toEqual(update);

    expect(await redis.exists(topicRedisKeys(MSFT).lastFrame, topicRedisKeys('bars:GOOGL:1').lastFrame)).toBe(0);
  });

  it('sends a new subscriber the current bar at once instead of after an interval', async () => {
    // A long interval, so carol subscribes well between two ticks.
    const slow = 500;
    const [gatewayA, gatewayB] = await Promise.all([gateway(slow), gateway(slow), generator('gen-1', slow)]);
    const alice = await connect(gatewayA.wsUrl);
    const carol = await connect(gatewayB.wsUrl);
    alice.subscribeBars('AAPL');
    await alice.waitForCount(isUpdateOf(AAPL), 2);

    const seenBefore = updates(alice, AAPL).map((update) => update.ts);
    carol.subscribeBars('AAPL');
    const first = await carol.waitFor(isUpdateOf(AAPL));
    // A tick alice had already received before carol asked: the stored bar, not the next tick.
    expect(seenBefore).toContain(first.ts);
    const later = await carol.waitForCount(isUpdateOf(AAPL), 2);
    const stamps = later.map((update) => update.ts ?? 0);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  it('hands the topic to the other generator within two intervals when the leader dies, continuing the series without duplicates', async () => {
    const { lease, channel } = topicRedisKeys(AAPL);
    const [front, gen1, gen2] = await Promise.all([gateway(), generator('gen-1'), generator('gen-2')]);
    const client = await connect(front.wsUrl);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 2);
    const recorder = await recordChannel(redisServer.url, channel);
    await eventually(() => (recorder.frames.length >= 3 ? true : undefined), '3 frames before the failover');

    const leader = await redis.get(lease);
    const [dying, survivor] = leader === 'gen-1' ? [gen1, 'gen-2'] : [gen2, 'gen-1'];
    await dying.app.stop(); // a clean stop gives the lease up (next test); the survivor then takes it at its next slot
    const stoppedAt = recorder.frames.length;
    await eventually(async () => ((await redis.get(lease)) === survivor ? true : undefined), 'the other generator to take the lease');
    await eventually(() => (recorder.frames.length >= stoppedAt + 3 ? true : undefined), '3 frames after the failover');
    recorder.close();

    const frames = recorder.frames.map((text) => JSON.parse(text) as { ts: number; payload: Bar });
    const stamps = frames.map((frame) => frame.ts);
    expect(new Set(stamps).size).toBe(stamps.length); // one frame per tick, never two
    for (let index = 1; index < frames.length; index += 1) {
      const [previous, current] = [frames[index - 1]!, frames[index]!];
      expect(current.ts - previous.ts).toBeGreaterThan(0);
      // Two intervals (the lease), plus the moment the new leader's first tick takes to run:
      // ts is the instant a bar was computed, no longer a slot number times the interval.
      expect(current.ts - previous.ts).toBeLessThanOrEqual(2 * CLUSTER_INTERVAL_MS + SCHEDULING_SLACK_MS);
      expect(current.payload.time).toBeGreaterThanOrEqual(previous.payload.time);
      if (current.payload.time === previous.payload.time) expect(current.payload.open).toBe(previous.payload.open);
      else expect(current.payload.open).toBe(previous.payload.close);
    }
  });

  it('gives its leases up on a clean stop, so the standby need not wait for them to lapse', async () => {
    const { lease } = topicRedisKeys(AAPL);
    const [front, gen1, gen2] = await Promise.all([gateway(), generator('gen-1'), generator('gen-2')]);
    const client = await connect(front.wsUrl);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 2);
    const leader = await eventually(async () => (await redis.get(lease)) ?? undefined, 'a generator to hold the lease');
    const [stopping, survivor] = leader === 'gen-1' ? [gen1, 'gen-2'] : [gen2, 'gen-1'];
    await stopping.app.stop();
    // Right after the stop: no longer the stopped one's (gone, or already the survivor's), where a lapse would take 1.5 intervals.
    expect([null, survivor]).toContain(await redis.get(lease));
    await eventually(async () => ((await redis.get(lease)) === survivor ? true : undefined), 'the other generator to take the lease');
  });

  it('reports a tick whose generation fails and carries on with the next one', async () => {
    let calls = 0;
    const failOnce: BarGenerator = (previous, now, context) => {
      calls += 1;
      if (calls === 2) throw new Error('generator failed');
      return mockLastBar(previous, now, context);
    };
    const front = await gateway();
    const producer = await apps.start({ config: clusterOverrides('generator', redisServer.url), generate: failOnce });
    const client = await connect(front.wsUrl);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 3);
    const metrics = (await (await fetch(`${producer.httpUrl}/api/v1/broadcaster/metrics`)).json()) as Record<string, number>;
    expect(metrics['errors']).toBe(1);
    expect(metrics['updates_generated']).toBeGreaterThanOrEqual(3);
  });

  it('stops producing a topic once every gateway has unsubscribed it', async () => {
    const [gatewayA, gatewayB] = await Promise.all([gateway(), gateway(), generator('gen-1'), generator('gen-2')]);
    const [alice, bob] = await Promise.all([connect(gatewayA!.wsUrl), connect(gatewayB!.wsUrl)]);
    alice.subscribeBars('AAPL');
    bob.subscribeBars('AAPL');
    alice.subscribeBars('MSFT');
    await Promise.all([alice.waitForCount(isUpdateOf(AAPL), 2), bob.waitForCount(isUpdateOf(AAPL), 2)]);
    expect(await numsub(AAPL)).toBe(2);

    alice.unsubscribeBars('AAPL');
    bob.unsubscribeBars('AAPL');
    await eventually(async () => ((await numsub(AAPL)) === 0 ? true : undefined), 'both gateways to UNSUBSCRIBE');
    const lastTs = await redis.get(topicRedisKeys(AAPL).lastTs);
    // MSFT keeps going; three of its ticks later, AAPL has not moved.
    await alice.waitForCount(isUpdateOf(MSFT), 3, { from: alice.messages.length });
    const settled = await redis.get(topicRedisKeys(AAPL).lastTs);
    await alice.waitForCount(isUpdateOf(MSFT), 3, { from: alice.messages.length });
    expect(await redis.get(topicRedisKeys(AAPL).lastTs)).toBe(settled);
    // At most the one tick already in flight when the last gateway left (the generator sees
    // the demand gone at its next slot).
    expect(Number(settled) - Number(lastTs)).toBeLessThanOrEqual(1.5 * CLUSTER_INTERVAL_MS);
  });
});

const FIVE_MINUTES = 300_000;

describe('a cluster across a bar period boundary', () => {
  it('closes every bar a gateway client receives on the bar of the history endpoint, and opens the next on that close', async () => {
    const { scheduler, boundary } = clockBeforeBoundary(2_500, FIVE_MINUTES);
    const overrides = (role: 'gateway' | 'generator') => ({
      ...clusterOverrides(role, redisServer.url),
      broadcaster: { interval: CLUSTER_INTERVAL_MS / 1000, resolutions: ['1', '5'] },
    });
    const [front] = await Promise.all([apps.start({ config: overrides('gateway'), scheduler }), apps.start({ config: overrides('generator'), scheduler })]);
    const client = await connect(front.wsUrl);
    client.subscribeBars('AAPL', '1');
    client.subscribeBars('AAPL', '5');
    for (const [resolution, periodMs] of [['1', 60_000], ['5', FIVE_MINUTES]] as const) {
      const topic = `bars:AAPL:${resolution}`;
      const isNewBar = (message: ServerMessage) => isUpdateOf(topic)(message) && (message.payload as unknown as Bar).time === boundary;
      await client.waitFor(isNewBar, { timeoutMs: 8_000 });
      const received = updates(client, topic);
      const stamps = received.map((update) => update.ts ?? 0);
      expect(stamps).toEqual([...new Set(stamps)].sort((a, b) => a - b)); // in order, none twice

      const bars = received.map((update) => update.payload as unknown as Bar);
      const lastOfPeriod = bars.map((bar) => bar.time).lastIndexOf(boundary - periodMs);
      expect(lastOfPeriod).toBeGreaterThanOrEqual(0); // the client saw the period before it closed
      const response = await fetch(`${front.httpUrl}/api/v1/bars?symbol=AAPL&resolution=${resolution}&countback=1&to=${boundary}`);
      const [historical] = ((await response.json()) as { bars: Bar[] }).bars;
      expect(bars[lastOfPeriod]).toEqual(historical);
      expect(stamps[lastOfPeriod]).toBe(boundary - 1);
      expect(bars[lastOfPeriod + 1]).toMatchObject({ time: boundary, open: historical!.close });
    }
  });
});
