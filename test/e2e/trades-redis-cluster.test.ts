import type { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { periodStart } from '../../src/domain/resolution.js';
import { topicClusterKeys } from '../../src/engines/redis/keys.js';
import { isUpdateOf, testApps, type TestClient, type UpdateMessage } from '../../src/testing/index.js';
import { fastClock } from '../support/fast-clock.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { eventually } from '../support/cluster.js';
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
    // Every test starts from an empty keyspace: no lease, and no trade stream a new database would read from its start.
    await Promise.all(inspect.nodes('master').map((node) => node.flushall()));
  });
  afterAll(async () => {
    inspect?.disconnect();
    await postgres?.dispose();
  });

  it('carries trades published to one gateway to a subscriber of another as the exact bars, through the stream on the base topic\'s shard', { timeout: 60_000 }, async () => {
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
    const final = (await subscriber.waitFor((message) => isUpdateOf('bars:ACME:1')(message) && message.final === true, { timeoutMs: 15_000 })) as UpdateMessage<Bar>;
    expect(final.payload).toEqual({ time: minute, open: 10, high: 12, low: 9, close: 9, volume: 6 });

    // The stream and the lease of bars:ACME:1 share the topic's hash tag, so one shard holds both.
    const keys = topicClusterKeys('bars:ACME:1');
    expect(keys.tradeStream).toBe('barcast:trades:{bars:ACME:1}');
    expect(await inspect.xlen(keys.tradeStream)).toBe(1);
    expect(await inspect.get(keys.lease)).toBe('gen-1');
    const rest = (await (await fetch(`${b.httpUrl}/api/v1/bars?symbol=ACME&resolution=1&from=${minute - MINUTE}&to=${minute + MINUTE}`)).json()) as { bars: Bar[] };
    expect(rest.bars).toEqual([final.payload]);
  });

  it('goes on with a second generator once the leader stops, its trades acked and counted once', { timeout: 60_000 }, async () => {
    const clock = fastClock(SPEED);
    const databaseUrl = await postgres.createDatabase();
    const redis = { redisClusterNodes: handle.cluster.seeds };
    // A failover takes a lease (0.75 s real, 7.5 s on the clock) and a forward timeout (1 s real):
    // the minute's bar waits 30 s (3 s real) for late trades, so the trades published around it still count.
    const ingest = { latenessMs: 30_000, forwardTimeoutMs: 10_000 };
    const config = (role: 'generator' | 'gateway') => tradesClusterConfig(role, redis, databaseUrl, ingest);
    const leader = await apps.start({ scheduler: clock, config: config('generator'), clusterOwner: 'gen-1' });
    const keys = topicClusterKeys('bars:ACME:1');
    await eventually(async () => ((await inspect.get(keys.lease)) === 'gen-1' ? true : undefined), 'gen-1 to lead ACME');
    await apps.start({ scheduler: clock, config: config('generator'), clusterOwner: 'gen-2' });
    const gateway = await apps.start({ scheduler: clock, config: config('gateway') });
    const publisher = await gateway.connect({ headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } });

    const minute = periodStart('1', clock.now());
    const at = () => Math.max(minute, Math.min(clock.now(), minute + MINUTE - 1));
    expect(outcomes(await publishOverWs(publisher, [{ symbol: 'ACME', price: 10, size: 2, time: at(), id: 'before' }]))).toEqual(['accepted']);
    await leader.app.stop(); // the lease is not released: it lapses
    await eventually(async () => ((await inspect.get(keys.lease)) === 'gen-2' ? true : undefined), 'gen-2 to take ACME over');
    // Published again until the new leader answers (INGEST_UNAVAILABLE while nobody leads); the first one again is a duplicate.
    const answer = await eventually(async () => {
      const results = outcomes(await publishOverWs(publisher, [{ symbol: 'ACME', price: 12, size: 3, time: at(), id: 'after' }, { symbol: 'ACME', price: 10, size: 2, time: at(), id: 'before' }]));
      return results[0] === 'INGEST_UNAVAILABLE' ? undefined : results;
    }, 'the new leader to answer', 20_000);
    expect(answer).toEqual(['accepted', 'duplicate']);
    // Polled slowly: history is rate limited per client.
    const rest = async () => ((await (await fetch(`${gateway.httpUrl}/api/v1/bars?symbol=ACME&resolution=1&from=${minute}&to=${minute + MINUTE}`)).json()) as { bars?: Bar[] }).bars ?? [];
    const closed = async (): Promise<Bar[] | undefined> => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const bars = await rest();
      return bars.length === 1 ? bars : undefined;
    };
    const [bar] = await eventually(closed, 'the minute to close in history', 20_000);
    expect({ time: bar?.time, open: bar?.open, close: bar?.close, volume: bar?.volume }).toEqual({ time: minute, open: 10, close: 12, volume: 5 });
  });
});
