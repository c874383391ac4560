import type { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { periodStart } from '../../src/domain/resolution.js';
import { topicClusterKeys } from '../../src/engines/redis/keys.js';
import { isUpdateOf, testApps, type TestClient, type UpdateMessage } from '../../src/testing/index.js';
import { fastClock } from '../support/fast-clock.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { clusterClient, describeOnRedisCluster, useRedisCluster } from '../support/redis-cluster.js';
import { outcomes, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';
import { SPEED, tradesClusterConfig } from '../support/trades-redis.js';

const MINUTE = 60_000;

describeOnRedisCluster('trade-built bars on a six-node Redis Cluster', () => {
  const handle = useRedisCluster();
  const apps = testApps();
  let postgres: PostgresServer;
  let inspect: Cluster;
  beforeAll(async () => {
    postgres = await startPostgresServer();
    inspect = clusterClient(handle.cluster.seeds);
  });
  afterEach(async () => {
    await apps.stopAll();
  });
  afterAll(async () => {
    inspect?.disconnect();
    await postgres?.dispose();
  });

  it('carries trades published to one gateway to a subscriber of another as the exact bars, through the stream on the base topic\'s shard', { timeout: 30_000 }, async () => {
    const clock = fastClock(SPEED);
    const databaseUrl = await postgres.createDatabase();
    const redis = { redisClusterNodes: handle.cluster.seeds };
    await apps.start({ scheduler: clock, config: tradesClusterConfig('generator', redis, databaseUrl), clusterOwner: 'gen-1' });
    const a = await apps.start({ scheduler: clock, config: tradesClusterConfig('gateway', redis, databaseUrl) });
    const b = await apps.start({ scheduler: clock, config: tradesClusterConfig('gateway', redis, databaseUrl) });
    const subscriber: TestClient = await b.connect();
    await subscriber.response(subscriber.subscribeBars('ACME', '1'));
    const publisher = await a.connect({ headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } });

    const now = clock.now();
    const minute = periodStart('1', now);
    const published = await publishOverWs(publisher, [
      { symbol: 'ACME', price: 10, size: 2, time: now, id: 'a' },
      { symbol: 'ACME', price: 12, size: 1, time: now, id: 'b' },
      { symbol: 'ACME', price: 9, size: 3, time: now, id: 'c' },
    ]);
    expect(outcomes(published)).toEqual(['accepted', 'accepted', 'accepted']);
    const final = (await subscriber.waitFor((message) => isUpdateOf('bars:ACME:1')(message) && message.final === true, { timeoutMs: 8_000 })) as UpdateMessage<Bar>;
    expect(final.payload).toEqual({ time: minute, open: 10, high: 12, low: 9, close: 9, volume: 6 });

    // The stream and the lease of bars:ACME:1 share the topic's hash tag, so one shard holds both.
    const keys = topicClusterKeys('bars:ACME:1');
    expect(keys.tradeStream).toBe('barcast:trades:{bars:ACME:1}');
    expect(await inspect.xlen(keys.tradeStream)).toBe(1);
    expect(await inspect.get(keys.lease)).toBe('gen-1');
    const rest = (await (await fetch(`${b.httpUrl}/api/v1/bars?symbol=ACME&resolution=1&from=${minute - MINUTE}&to=${minute + MINUTE}`)).json()) as { bars: Bar[] };
    expect(rest.bars).toEqual([final.payload]);
  });
});
