import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { clusterOverrides, eventually, httpStatus, useRedisServer } from '../support/cluster.js';
import type { RedisServer } from '../support/redis-server.js';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const AAPL = 'bars:AAPL:1';

const local = useRedisServer();
let redisServer: RedisServer;
const apps = testApps();

beforeEach(() => {
  redisServer = local.server;
});
afterEach(() => apps.stopAll());

const readyIs = (httpUrl: string, status: number) => async () => ((await httpStatus(`${httpUrl}/ready`)) === status ? true : undefined);

describe('cluster faults', () => {
  it('keeps clients through a Redis restart, answers /ready 503 meanwhile, and resumes updates by itself', async () => {
    const front = await apps.start({ config: clusterOverrides('gateway', redisServer.url) });
    const generator = await apps.start({ config: clusterOverrides('generator', redisServer.url) });
    const client = await TestClient.connect(front.wsUrl);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 2);
    await eventually(readyIs(front.httpUrl, 200), 'the gateway to be ready');

    await redisServer.stop();
    await eventually(readyIs(front.httpUrl, 503), 'the gateway to report not ready');
    await eventually(readyIs(generator.httpUrl, 503), 'the generator to report not ready');
    expect(await httpStatus(`${front.httpUrl}/health`)).toBe(200);
    expect(await httpStatus(`${generator.httpUrl}/health`)).toBe(200);
    const beforeRestart = client.messages.length;

    await redisServer.restart();
    const [resumed] = await client.waitForCount(isUpdateOf(AAPL), 3, { from: beforeRestart });
    // Redis came back empty, yet the series continues from where it was.
    const last = client.messages.slice(0, beforeRestart).filter(isUpdateOf(AAPL)).at(-1)!.payload as unknown as Bar;
    const next = resumed!.payload as unknown as Bar;
    expect(next.time).toBeGreaterThanOrEqual(last.time);
    expect(next.open).toBe(next.time === last.time ? last.open : last.close);
    await eventually(readyIs(front.httpUrl, 200), 'the gateway to be ready again');
    await eventually(readyIs(generator.httpUrl, 200), 'the generator to be ready again');
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    await client.close();
  });

  it('serves no WebSocket on a generator, only HTTP', async () => {
    const generator = await apps.start({ config: clusterOverrides('generator', redisServer.url) });
    await expect(TestClient.connect(generator.wsUrl)).rejects.toThrow(/HTTP 404/);
    await eventually(readyIs(generator.httpUrl, 200), 'the generator to be ready');
  });

  it('reports not ready while Redis cannot be reached at all, and still serves clients their responses', async () => {
    const front = await apps.start({ config: clusterOverrides('gateway', 'redis://127.0.0.1:1') });
    const generator = await apps.start({ config: clusterOverrides('generator', 'redis://127.0.0.1:1') });
    expect(await httpStatus(`${front.httpUrl}/ready`)).toBe(503);
    expect(await httpStatus(`${generator.httpUrl}/ready`)).toBe(503);
    expect(await httpStatus(`${generator.httpUrl}/health`)).toBe(200);
    const client = await TestClient.connect(front.wsUrl);
    client.subscribeBars('AAPL');
    const response = await client.waitFor(isType('bars.subscribe.response'));
    expect(response.payload).toMatchObject({ status: 'ok', topic: AAPL });
    await client.close();
  });

  it('tells clients a topic went stale when Redis runs out of memory, and reports it on /ready, until it flows again', async () => {
    const front = await apps.start({ config: clusterOverrides('gateway', redisServer.url) });
    const generator = await apps.start({ config: clusterOverrides('generator', redisServer.url) });
    const client = await TestClient.connect(front.wsUrl);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 2);
    const admin = local.redis;
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      const stale = await client.waitFor(isType('bars.status'), { timeoutMs: 5_000 });
      expect(stale).toMatchObject({ topic: AAPL, payload: { status: 'stale', since: expect.any(Number) } });
      await eventually(readyIs(generator.httpUrl, 503), 'the generator whose publishes fail to report not ready');
      await eventually(readyIs(front.httpUrl, 503), 'the gateway with a stale topic to report not ready');
      const body = (await (await fetch(`${front.httpUrl}/ready`)).json()) as { reason: string };
      expect(body.reason).toContain(AAPL);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    const live = await client.waitFor((message) => message.type === 'bars.status' && message.payload?.['status'] === 'live', { timeoutMs: 5_000 });
    await client.waitFor(isUpdateOf(AAPL), { from: client.messages.indexOf(live) });
    await eventually(readyIs(front.httpUrl, 200), 'the gateway to be ready again');
    await eventually(readyIs(generator.httpUrl, 200), 'the generator to be ready again');
    await client.close();
  });

  it('tells clients their topics went stale while Redis is down, instead of silence', async () => {
    const front = await apps.start({ config: clusterOverrides('gateway', redisServer.url) });
    await apps.start({ config: clusterOverrides('generator', redisServer.url) });
    const client = await TestClient.connect(front.wsUrl);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 2);
    await redisServer.stop();
    const stale = await client.waitFor(isType('bars.status'), { timeoutMs: 3_000 });
    expect(stale.payload).toMatchObject({ status: 'stale' });
    await redisServer.restart();
    await client.waitFor((message) => message.type === 'bars.status' && message.payload?.['status'] === 'live', { timeoutMs: 8_000 });
    await client.close();
  });
});
