import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { periodStart } from '../../src/domain/resolution.js';
import { isUpdateOf, type TestClient, type UpdateMessage } from '../../src/testing/index.js';
import { redisTestBed } from '../support/cluster.js';
import { fastClock } from '../support/fast-clock.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { outcomes, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';
import { SPEED, tradesClusterConfig } from '../support/trades-redis.js';

const bed = redisTestBed();
let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgresServer();
});
afterAll(async () => {
  await postgres?.dispose();
});

const publisherHeaders = { headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } };
const MINUTE = 60_000;

async function finalOf(client: TestClient, topic: string, time: number): Promise<UpdateMessage<Bar>> {
  return (await client.waitFor((message) => isUpdateOf(topic)(message) && message.final === true && (message.payload as unknown as Bar).time === time, { timeoutMs: 15_000 })) as UpdateMessage<Bar>;
}

describe('trade-built bars over Redis (gateways and a generator on PostgreSQL)', () => {
  it('streams the bars of trades published to gateway A to a subscriber of gateway B, final, and both histories equal the stream', { timeout: 60_000 }, async () => {
    const clock = fastClock(SPEED);
    const databaseUrl = await postgres.createDatabase();
    const redis = { redisUrl: bed.server.url };
    await bed.apps.start({ scheduler: clock, config: tradesClusterConfig('generator', redis, databaseUrl) });
    const a = await bed.apps.start({ scheduler: clock, config: tradesClusterConfig('gateway', redis, databaseUrl) });
    const b = await bed.apps.start({ scheduler: clock, config: tradesClusterConfig('gateway', redis, databaseUrl) });
    const subscriber = await b.connect();
    await subscriber.response(subscriber.subscribeBars('ACME', '1'));
    const fiveMinutes = await b.connect();
    await fiveMinutes.response(fiveMinutes.subscribeBars('ACME', '5'));
    const publisher = await a.connect(publisherHeaders);

    const now = clock.now();
    const minute = periodStart('1', now);
    const published = await publishOverWs(publisher, [
      { symbol: 'ACME', price: 10, size: 2, time: now, id: 'a' },
      { symbol: 'ACME', price: 12, size: 1, time: now, id: 'b' },
      { symbol: 'BETA', price: 5, size: 1, time: now, id: 'b' },
      { symbol: 'ACME', price: 9, size: 3, time: now, id: 'c' },
      { symbol: 'ACME', price: -1, size: 3, time: now, id: 'bad' },
    ]);
    // Each trade answered on its own: the bad one at once by the gateway, the others once the generator committed them.
    expect(outcomes(published)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'INVALID_PRICE']);
    expect(outcomes(await publishOverWs(publisher, [{ symbol: 'ACME', price: 11, size: 5, time: now, id: 'a' }]))).toEqual(['duplicate']);

    const final = await finalOf(subscriber, 'bars:ACME:1', minute);
    expect(final.payload).toEqual({ time: minute, open: 10, high: 12, low: 9, close: 9, volume: 6 });
    const updates = subscriber.messages.filter(isUpdateOf('bars:ACME:1')) as UpdateMessage<Bar>[];
    expect(updates.filter((update) => update.final === true)).toHaveLength(1);
    expect(updates.every((update) => update.epoch === updates[0]?.epoch)).toBe(true);

    const range = `from=${minute - 5 * MINUTE}&to=${minute + MINUTE}`;
    for (const gateway of [a, b]) {
      const rest = (await (await fetch(`${gateway.httpUrl}/api/v1/bars?symbol=ACME&resolution=1&${range}`)).json()) as { bars: Bar[] };
      expect(rest.bars).toEqual([final.payload]);
    }
    // The five-minute topic comes from the same aggregation, off its own channel.
    const coarse = await fiveMinutes.waitFor(isUpdateOf('bars:ACME:5'), { timeoutMs: 5_000 });
    expect((coarse.payload as unknown as Bar).volume).toBe(6);

    // Quotes of the trade-fed symbol on gateway B come from its view of the topics, off Redis.
    const watcher = await b.connect();
    await watcher.response(watcher.subscribe('quotes', { symbols: ['ACME'] }));
    const quote = await watcher.waitFor((message) => isUpdateOf('quotes:ACME')(message) && (message.payload as { v?: { volume?: number } }).v?.volume === 6, { timeoutMs: 5_000 });
    expect(quote.payload).toMatchObject({ n: 'ACME', s: 'ok', v: { lp: 9, volume: 6 } });

    // The next minute's first trade; then a subscriber that held the bars up to the minute
    // before comes back with `since`: gateway B replays the final from what it keeps.
    const next = clock.now();
    expect(periodStart('1', next)).toBeGreaterThan(minute);
    expect(outcomes(await publishOverWs(publisher, [{ symbol: 'ACME', price: 20, size: 1, time: next, id: 'd' }]))).toEqual(['accepted']);
    await subscriber.waitFor((message) => isUpdateOf('bars:ACME:1')(message) && (message.payload as unknown as Bar).time === periodStart('1', next), { timeoutMs: 15_000 });
    const late = await b.connect();
    const resumed = await late.response(late.request('bars.subscribe', { symbol: 'ACME', params: { resolution: '1' }, since: minute - MINUTE }));
    expect(resumed.payload).toMatchObject({ status: 'ok', recovered: true, replayed: 1 });
    const replayed = await late.waitFor((message) => isUpdateOf('bars:ACME:1')(message) && message.replay === true, { timeoutMs: 5_000 });
    expect(replayed.payload).toEqual(final.payload);
  });
});
