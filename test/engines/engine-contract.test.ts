import type { SchedulerLike } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { clockBeforeBoundary } from '../support/clock.js';
import { clusterOverrides, eventually, useRedisServer } from '../support/cluster.js';
import { isType, isUpdateOf, type ServerMessage, type TestApp, testApps, TestClient } from '../../src/testing/index.js';
import { clusterEngineOverrides, describeOnRedisCluster, redisClusterBinariesPresent, useRedisCluster } from '../support/redis-cluster.js';

/**
 * The bar source seam's contract (src/streams/bar-source.ts), written once and run against
 * every engine through the real app: what a client sees must not depend on where bars come from.
 */
interface EngineSetup {
  readonly name: string;
  /** Starts the processes of this engine; `gateways` serve clients, `producer` computes bars. */
  start(scheduler?: SchedulerLike): Promise<{ gateways: [TestApp, TestApp]; producer: TestApp }>;
}

const INTERVAL_MS = 100;
const AAPL = 'bars:AAPL:1';
const apps = testApps();
const clients: TestClient[] = [];
const redis = useRedisServer();
const redisCluster = redisClusterBinariesPresent() ? useRedisCluster() : undefined;

beforeEach(async () => {
  await redis.redis.flushall();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await apps.stopAll();
});

const memory: EngineSetup = {
  name: 'in-process (standalone)',
  async start(scheduler) {
    const app = await apps.start({ config: { broadcaster: { interval: INTERVAL_MS / 1000 } }, ...(scheduler ? { scheduler } : {}) });
    return { gateways: [app, app], producer: app };
  },
};

const singleRedis: EngineSetup = {
  name: 'Redis (two gateways, one generator)',
  async start(scheduler) {
    const dependencies = scheduler ? { scheduler } : {};
    const url = redis.server.url;
    const [a, b, producer] = await Promise.all([
      apps.start({ config: clusterOverrides('gateway', url, INTERVAL_MS), ...dependencies }),
      apps.start({ config: clusterOverrides('gateway', url, INTERVAL_MS), ...dependencies }),
      apps.start({ config: clusterOverrides('generator', url, INTERVAL_MS), ...dependencies }),
    ]);
    return { gateways: [a, b], producer };
  },
};

const shardedRedis: EngineSetup = {
  name: 'Redis Cluster (six nodes, two gateways, one generator)',
  async start(scheduler) {
    const dependencies = scheduler ? { scheduler } : {};
    const { seeds } = redisCluster!.cluster;
    await redisCluster!.cluster.flushAll();
    const member = (role: 'gateway' | 'generator') => apps.start({ config: clusterEngineOverrides(role, seeds, ['AAPL', 'GOOGL', 'MSFT'], INTERVAL_MS), ...dependencies });
    const [a, b, producer] = await Promise.all([member('gateway'), member('gateway'), member('generator')]);
    return { gateways: [a, b], producer };
  },
};

async function connect(app: TestApp): Promise<TestClient> {
  const client = await TestClient.connect(app.wsUrl);
  clients.push(client);
  return client;
}

const barOf = (message: ServerMessage): Bar => message.payload as unknown as Bar;

async function history(app: TestApp, query: string): Promise<Bar[]> {
  const response = await fetch(`${app.httpUrl}/api/v1/bars?symbol=AAPL&resolution=1&${query}`);
  return ((await response.json()) as { bars: Bar[] }).bars;
}

function engineContract(engine: EngineSetup): void {
  describe(`the ${engine.name} engine`, () => {
    it('sends the current bar right after the response, then updates numbered one by one in one epoch', async () => {
      const { gateways } = await engine.start();
      const client = await connect(gateways[0]);
      client.subscribeBars('AAPL');
      const response = await client.waitFor(isType('bars.subscribe.response'));
      const updates = await client.waitForCount(isUpdateOf(AAPL), 5, { from: client.messages.indexOf(response) });
      expect(client.messages.indexOf(updates[0]!)).toBe(client.messages.indexOf(response) + 1);
      const epochs = new Set(updates.map((update) => update.epoch));
      expect(epochs.size, JSON.stringify(updates.map((u) => [u.epoch, u.seq, u.ts, u.final]))).toBe(1);
      const seqs = updates.map((update) => update.seq ?? 0);
      // The first is the snapshot of a running numbering; from there on, nothing skipped.
      for (let index = 1; index < seqs.length; index += 1) expect(seqs[index]).toBe(seqs[index - 1]! + 1);
      const stamps = updates.map((update) => update.ts ?? 0);
      expect(stamps).toEqual([...stamps].sort((x, y) => x - y));
      for (const update of updates) expect(typeof update.final).toBe('boolean');
    });

    it('gives every subscriber, on every gateway, the same update under the same seq', async () => {
      const { gateways } = await engine.start();
      const [alice, bob] = await Promise.all([connect(gateways[0]), connect(gateways[1])]);
      alice.subscribeBars('AAPL');
      bob.subscribeBars('AAPL');
      await Promise.all([alice.waitForCount(isUpdateOf(AAPL), 6), bob.waitForCount(isUpdateOf(AAPL), 6)]);
      const bobs = new Map(bob.messages.filter(isUpdateOf(AAPL)).map((update) => [`${update.epoch}/${update.seq}`, update]));
      const common = alice.messages.filter(isUpdateOf(AAPL)).filter((update) => bobs.has(`${update.epoch}/${update.seq}`));
      expect(common.length).toBeGreaterThanOrEqual(3);
      for (const update of common) expect(bobs.get(`${update.epoch}/${update.seq}`)).toEqual(update);
    });

    it("closes each bar once, marked final, on history's values, and opens the next on its close", async () => {
      const { scheduler, boundary } = clockBeforeBoundary(1_500, 60_000);
      const { gateways } = await engine.start(scheduler);
      const client = await connect(gateways[0]);
      client.subscribeBars('AAPL');
      await client.waitFor((message) => isUpdateOf(AAPL)(message) && barOf(message).time === boundary, { timeoutMs: 6_000 });
      const updates = client.messages.filter(isUpdateOf(AAPL));
      const finals = updates.filter((update) => update.final);
      expect(finals).toHaveLength(1);
      const [closing] = finals;
      expect(closing!.ts).toBe(boundary - 1);
      const [historical] = await history(gateways[0], `countback=1&to=${boundary}`);
      expect(barOf(closing!)).toEqual(historical);
      const next = updates[updates.indexOf(closing!) + 1]!;
      expect(barOf(next)).toMatchObject({ time: boundary, open: historical!.close });
    });

    it('resumes a subscriber from since with history, then the live bar, with no gap and no duplicate', async () => {
      const { gateways } = await engine.start();
      const app = gateways[1];
      const closed = await history(app, `countback=4&to=${Date.now()}`);
      const since = closed[0]!.time;
      const client = await connect(app);
      client.send({ type: 'bars.subscribe', id: 'resume-1', payload: { symbol: 'AAPL', since } });
      const response = await client.waitFor(isType('bars.subscribe.response'));
      expect(response).toMatchObject({ id: 'resume-1', payload: { status: 'ok', recovered: true } });
      const replayed = Number(response.payload?.['replayed']);
      expect(replayed).toBeGreaterThanOrEqual(3);
      const [live] = await client.waitForCount((message) => isUpdateOf(AAPL)(message) && !message.replay, 1);
      const replays = client.messages.filter((message) => isUpdateOf(AAPL)(message) && message.replay);
      expect(replays).toHaveLength(replayed);
      const bars = [...replays.map(barOf), barOf(live!)];
      // Consecutive minutes from the one after since up to the live one: no gap, no duplicate.
      bars.forEach((bar, index) => expect(bar.time).toBe(since + (index + 1) * 60_000));
      const expected = await history(app, `from=${since + 60_000}&to=${barOf(live!).time}`);
      expect(replays.map(barOf)).toEqual(expected);
      for (const replay of replays) expect(replay).toMatchObject({ final: true, replay: true });
    });

    it('stops producing a topic once its last subscriber leaves', async () => {
      const { gateways, producer } = await engine.start();
      const client = await connect(gateways[0]);
      client.subscribeBars('AAPL');
      await client.waitForCount(isUpdateOf(AAPL), 2);
      client.unsubscribeBars('AAPL');
      await eventually(() => (producer.app.metrics().active_topics === 0 ? true : undefined), 'the producer to stop the topic');
    });
  });
}

engineContract(memory);
engineContract(singleRedis);
describeOnRedisCluster('on a real Redis Cluster', () => engineContract(shardedRedis));
