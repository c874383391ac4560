import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';
import { periodStart } from '../../src/domain/resolution.js';
import { isType, isUpdateOf, testApps, type TestClient, type UpdateMessage } from '../../src/testing/index.js';
import type { Bar } from '../../src/domain/bar.js';
import { fastClock } from '../support/fast-clock.js';
import { hmacToken, JWT_SECRET } from '../support/jwt.js';
import { MemoryTradeStore } from '../support/memory-trade-store.js';
import { dataDirs, ingestConfig, outcomes, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';

const apps = testApps();
const dirs = dataDirs();
afterEach(async () => {
  await apps.stopAll();
  dirs.removeAll();
});

/** A minute passes in 0.6 s: bars close while the test runs. */
const SPEED = 100;
const MINUTE = 60_000;
const publisherHeaders = { headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } };

async function finalOf(client: TestClient, topic: string, time: number): Promise<UpdateMessage<Bar>> {
  return (await client.waitFor((message) => isUpdateOf(topic)(message) && message.final === true && (message.payload as unknown as Bar).time === time, { timeoutMs: 5_000 })) as UpdateMessage<Bar>;
}

describe('trade-built bars on a real server', () => {
  it('streams the bars of published trades with seq, epoch and final, and history equals what was streamed', async () => {
    const clock = fastClock(SPEED);
    const { wsUrl, httpUrl, connect } = await apps.start({ scheduler: clock, config: ingestConfig(dirs.make()) });
    const subscriber = await connect();
    await subscriber.response(subscriber.subscribeBars('ACME', '1'));
    const publisher = await connect(publisherHeaders);
    const now = clock.now();
    const minute = periodStart('1', now);
    const published = await publishOverWs(publisher, [
      { symbol: 'ACME', price: 10, size: 2, time: now, id: 'a' },
      { symbol: 'ACME', price: 12, size: 1, time: now, id: 'b' },
      { symbol: 'ACME', price: 9, size: 3, time: now, id: 'c' },
    ]);
    expect(published).toMatchObject({ status: 'ok', accepted: 3, duplicates: 0, refused: 0 });
    const final = await finalOf(subscriber, 'bars:ACME:1', minute);
    expect(final.payload).toEqual({ time: minute, open: 10, high: 12, low: 9, close: 9, volume: 6 });
    const updates = subscriber.messages.filter(isUpdateOf('bars:ACME:1')) as UpdateMessage<Bar>[];
    expect(updates.every((update) => update.epoch === updates[0]?.epoch)).toBe(true);
    expect(updates.map((update) => update.seq)).toEqual(updates.map((_, index) => index + 1));
    expect(updates.filter((update) => update.final === true)).toHaveLength(1);
    expect(updates.at(-1)).toBe(final);

    const rest = (await (await fetch(`${httpUrl}/api/v1/bars?symbol=ACME&resolution=1&from=${minute - 5 * MINUTE}&to=${minute + MINUTE}`)).json()) as { bars: Bar[] };
    expect(rest.bars).toEqual([final.payload]);
    // A period without trades has no bar: UDF answers no_data, naming the bar before it.
    const udf = (await (await fetch(`${httpUrl}/api/v1/udf/history?symbol=ACME&resolution=1&from=${(minute + MINUTE) / 1000}&to=${(minute + 2 * MINUTE) / 1000}`)).json()) as Record<string, unknown>;
    expect(udf).toEqual({ s: 'no_data', nextTime: minute / 1000 });
    expect(wsUrl).toContain('/api/v1/ws');
  });

  it('answers every trade of a batch on its own: a bad one takes neither the good ones nor the connection', async () => {
    const clock = fastClock(SPEED);
    const { connect } = await apps.start({ scheduler: clock, config: ingestConfig(dirs.make(), { latenessMs: 60_000 }) });
    const publisher = await connect(publisherHeaders);
    const now = clock.now();
    const results = await publishOverWs(publisher, [
      { symbol: 'ACME', price: 10, size: 1, time: now, id: 'x1' },
      'not a trade',
      { symbol: 'ACME', price: 'NaN', size: 1, time: now },
      { symbol: 'ACME', price: 10, size: -1, time: now },
      { symbol: 'AAPL', price: 10, size: 1, time: now },
      { symbol: 'ACME', price: 10, size: 1, time: now + 3_600_000 },
      { symbol: 'ACME', price: 10, size: 1, time: now - 10 * MINUTE },
      { symbol: 'ACME', price: 10, size: 1, time: now, id: 'x1' },
      { symbol: 'BETA', price: 11, size: 1, time: now, id: 'x1' },
    ]);
    expect(outcomes(results)).toEqual(['accepted', 'INVALID_TRADE', 'INVALID_PRICE', 'NEGATIVE_SIZE', 'UNKNOWN_SYMBOL', 'TRADE_IN_FUTURE', 'TRADE_TOO_LATE', 'duplicate', 'accepted']);
    expect(results).toMatchObject({ accepted: 2, duplicates: 1, refused: 6 });
    // The same trade again, while its bar is open, is a duplicate (the store knows its id).
    expect(outcomes(await publishOverWs(publisher, [{ symbol: 'ACME', price: 10, size: 1, time: now, id: 'x1' }]))).toEqual(['duplicate']);
    publisher.send({ type: 'ping', id: 'still-here' });
    await publisher.waitFor(isType('pong'));
  });

  it('publishes over HTTP as a JSON array or NDJSON, and slows a publisher past INGEST_MAX_PENDING with 429', async () => {
    const clock = fastClock(SPEED);
    const { httpUrl } = await apps.start({ scheduler: clock, config: ingestConfig(dirs.make(), { latenessMs: 60_000, maxPending: 3 }) });
    const now = clock.now();
    const post = (body: string, type: string, token = PUBLISH_TOKEN) =>
      fetch(`${httpUrl}/api/v1/trades`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body });
    const array = await post(JSON.stringify([{ symbol: 'ACME', price: 1.5, size: 1, time: now }, { symbol: 'ACME', price: 0, size: 1, time: now }]), 'application/json');
    expect({ status: array.status, body: await array.json() }).toMatchObject({ status: 200, body: { status: 'ok', accepted: 1, refused: 1 } });
    const ndjson = await post(`${JSON.stringify({ symbol: 'BETA', price: 2, size: 1, time: now })}\n{broken\n`, 'application/x-ndjson');
    const answered = (await ndjson.json()) as { results: { status: string; code?: string }[] };
    expect(answered.results.map((result) => result.code ?? result.status)).toEqual(['accepted', 'INVALID_TRADE']);
    const tooMany = await post(JSON.stringify(Array.from({ length: 4 }, (_, index) => ({ symbol: 'ACME', price: 1, size: 1, time: now, id: `m${index}` }))), 'application/json');
    expect({ status: tooMany.status, retryAfter: tooMany.headers.get('retry-after'), code: ((await tooMany.json()) as { code: string }).code }).toEqual({ status: 429, retryAfter: '1', code: 'INGEST_OVERLOADED' });
    const notJson = await post('{"symbol"', 'application/json');
    expect(notJson.status).toBe(400);
  });

  it('lets only publishers publish: never an anonymous or subscriber connection, and a JWT only its publish claim', async () => {
    const clock = fastClock(SPEED);
    const { httpUrl, connect } = await apps.start({ scheduler: clock, config: { ...ingestConfig(dirs.make(), { latenessMs: 60_000 }), auth: { tokens: ['subscriber-token'], jwtSecret: JWT_SECRET } } });
    const trade = { symbol: 'ACME', price: 10, size: 1, time: clock.now() };
    const subscriber = await connect({ headers: { authorization: 'Bearer subscriber-token' } });
    expect(await publishOverWs(subscriber, [trade])).toMatchObject({ status: 'error', code: 'PUBLISH_FORBIDDEN' });
    const jwtSubscriber = await connect({ headers: { authorization: `Bearer ${await hmacToken({}, { expiresInS: 86_400 })}` } });
    expect(await publishOverWs(jwtSubscriber, [trade])).toMatchObject({ status: 'error', code: 'PUBLISH_FORBIDDEN' });
    const jwtPublisher = await connect({ headers: { authorization: `Bearer ${await hmacToken({ scope: 'read publish', publish: ['ACME'] }, { expiresInS: 86_400 })}` } });
    expect(outcomes(await publishOverWs(jwtPublisher, [trade, { ...trade, symbol: 'BETA' }]))).toEqual(['accepted', 'PUBLISH_FORBIDDEN']);
    // A JWT with the publish scope and no valid publish claim is refused at the door.
    await expect(connect({ headers: { authorization: `Bearer ${await hmacToken({ scope: 'publish' }, { expiresInS: 86_400 })}` } })).rejects.toThrow('HTTP 401');
    const http = await fetch(`${httpUrl}/api/v1/trades`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer subscriber-token' }, body: JSON.stringify([trade]) });
    expect({ status: http.status, code: ((await http.json()) as { code: string }).code }).toEqual({ status: 403, code: 'PUBLISH_FORBIDDEN' });
    const anonymous = await fetch(`${httpUrl}/api/v1/trades`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([trade]) });
    expect(anonymous.status).toBe(401);
  });

  it('keeps the trades of a publisher that disconnects right after sending its batch, and serves everyone else on', async () => {
    const clock = fastClock(SPEED);
    const { connect, httpUrl } = await apps.start({ scheduler: clock, config: ingestConfig(dirs.make()) });
    const watcher = await connect();
    await watcher.response(watcher.subscribeBars('BETA', '1'));
    const publisher = await connect(publisherHeaders);
    const now = clock.now();
    const minute = periodStart('1', now);
    publisher.send({ type: 'trades.publish', id: 1, payload: { trades: Array.from({ length: 200 }, (_, index) => ({ symbol: 'BETA', price: 100 + (index % 7), size: 1, time: now, id: `d${index}` })) } });
    await publisher.close();
    const final = await finalOf(watcher, 'bars:BETA:1', minute);
    expect(final.payload).toMatchObject({ time: minute, volume: 200, high: 106, low: 100 });
    const rest = (await (await fetch(`${httpUrl}/api/v1/bars?symbol=BETA&resolution=1&from=${minute}&to=${minute + MINUTE}`)).json()) as { bars: Bar[] };
    expect(rest.bars).toEqual([final.payload]);
  });

  it('finds its history again after a restart, and resumes a subscriber from it', async () => {
    const dataDir = dirs.make();
    const clock = fastClock(SPEED);
    const first = await apps.start({ scheduler: clock, config: ingestConfig(dataDir) });
    const watcher = await first.connect();
    await watcher.response(watcher.subscribeBars('ACME', '1'));
    const publisher = await first.connect(publisherHeaders);
    const minute = periodStart('1', clock.now());
    expect(await publishOverWs(publisher, [{ symbol: 'ACME', price: 7, size: 5, time: clock.now() }])).toMatchObject({ accepted: 1 });
    const final = await finalOf(watcher, 'bars:ACME:1', minute);
    await first.stop();

    const second = await apps.start({ scheduler: clock, config: ingestConfig(dataDir) });
    const rest = (await (await fetch(`${second.httpUrl}/api/v1/bars?symbol=ACME&resolution=1&from=${minute - MINUTE}&to=${clock.now()}`)).json()) as { bars: Bar[] };
    expect(rest.bars).toEqual([final.payload]);
    const resumed = await second.connect();
    const id = resumed.request('bars.subscribe', { symbol: 'ACME', params: { resolution: '1' }, since: minute - MINUTE });
    expect((await resumed.response(id)).payload).toMatchObject({ status: 'ok', recovered: true, replayed: 1 });
    expect((await resumed.nextUpdate<Bar>('bars:ACME:1')).payload).toEqual(final.payload);
  });

  it('refuses trades with STORE_UNAVAILABLE while the store cannot write, keeps serving reads and streams, and takes trades again once it can', async () => {
    const clock = fastClock(SPEED);
    const store = new MemoryTradeStore();
    const { httpUrl, connect } = await apps.start({ scheduler: clock, tradeStore: store, config: ingestConfig(dirs.make(), { latenessMs: 60_000 }) });
    const watcher = await connect();
    await watcher.response(watcher.subscribeBars('AAPL', '1'));
    const publisher = await connect(publisherHeaders);
    store.failWrites = true;
    const trade = { symbol: 'ACME', price: 10, size: 1, time: clock.now() };
    expect(outcomes(await publishOverWs(publisher, [trade, { bad: true }]))).toEqual(['STORE_UNAVAILABLE', 'INVALID_TRADE']);
    const http = await fetch(`${httpUrl}/api/v1/trades`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${PUBLISH_TOKEN}` }, body: JSON.stringify([trade]) });
    expect({ status: http.status, code: ((await http.json()) as { code: string }).code }).toEqual({ status: 503, code: 'STORE_UNAVAILABLE' });
    // Reads go on: live mock bars, their history, trade-fed history.
    const from = watcher.messages.length;
    await watcher.waitForCount(isUpdateOf('bars:AAPL:1'), 2, { from });
    expect((await fetch(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1&countback=3`)).status).toBe(200);
    expect((await fetch(`${httpUrl}/api/v1/bars?symbol=ACME&resolution=1&countback=3`)).status).toBe(200);
    store.failWrites = false;
    expect(outcomes(await publishOverWs(publisher, [trade]))).toEqual(['accepted']);
  });

  it('prunes the store it owns on start, by HISTORY_RETENTION_DAYS and INGEST_TRADE_RETENTION_HOURS', async () => {
    const store = new MemoryTradeStore();
    const old = Date.now() - 3 * 86_400_000;
    await store.appendTrades([{ symbol: 'ACME', price: 1, size: 1, time: old }]);
    await store.saveBars([{ symbol: 'ACME', resolution: '1', bar: { time: periodStart('1', old), open: 1, high: 1, low: 1, close: 1, volume: 1 } }]);
    const { httpUrl } = await apps.start({ tradeStore: store, config: { ...ingestConfig(dirs.make()), store: { historyRetentionDays: 1, tradeRetentionHours: 24 } } });
    await expect.poll(() => ({ trades: store.trades.length, bars: store.savedBars.size })).toEqual({ trades: 0, bars: 0 });
    const rest = (await (await fetch(`${httpUrl}/api/v1/bars?symbol=ACME&resolution=1&countback=10`)).json()) as { bars: Bar[] };
    expect(rest.bars).toEqual([]);
  });

  it("withholds a WebSocket publisher's acks past INGEST_MAX_PENDING and stops reading it until they come; past twice the bound it is closed with 1013", async () => {
    const clock = fastClock(SPEED);
    const store = new MemoryTradeStore();
    const { connect, httpUrl } = await apps.start({ scheduler: clock, tradeStore: store, config: ingestConfig(dirs.make(), { latenessMs: 60_000, maxPending: 2 }) });
    const publisher = await connect(publisherHeaders);
    const trade = (id: string) => ({ symbol: 'ACME', price: 10, size: 1, time: clock.now(), id });
    store.hold();
    const answered = publishOverWs(publisher, [trade('a'), trade('b'), trade('c')]);
    await expect.poll(() => store.appends).toBe(1);
    publisher.send({ type: 'ping', id: 'while-held' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(publisher.messages).toEqual([]);
    store.release();
    expect(await answered).toMatchObject({ accepted: 3 });
    await publisher.waitFor((message) => message.type === 'pong' && message['id'] === 'while-held');

    const flooder = await connect(publisherHeaders);
    flooder.send({ type: 'trades.publish', id: 1, payload: { trades: ['1', '2', '3', '4', '5'].map(trade) } });
    expect(await flooder.closed).toMatchObject({ code: 1013 });
    // Told apart from a slow consumer's 1013 on /metrics.
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^barcast_messages_rejected_total\{code="INGEST_OVERLOADED"\} 1$/m);
    expect(metrics).toMatch(/^barcast_slow_consumers_closed_total 0$/m);
  });

  it.each(TRANSPORT_ENGINES)('takes trades.publish on the %s engine, and its subscribers see the bars', async (engine) => {
    const clock = fastClock(SPEED);
    const { connect } = await apps.start({ scheduler: clock, config: { ...ingestConfig(dirs.make()), transport: { engine } } });
    const watcher = await connect();
    await watcher.response(watcher.subscribeBars('ACME', '5'));
    const publisher = await connect(publisherHeaders);
    const now = clock.now();
    expect(await publishOverWs(publisher, [{ symbol: 'ACME', price: 3, size: 4, time: now }])).toMatchObject({ accepted: 1 });
    const update = (await watcher.waitFor(isUpdateOf('bars:ACME:5'), { timeoutMs: 5_000 })) as UpdateMessage<Bar>;
    expect(update.payload).toEqual({ time: periodStart('5', now), open: 3, high: 3, low: 3, close: 3, volume: 4 });
  });

  it('releases the trade store when a start fails (the port is taken)', async () => {
    const first = await apps.start({ config: ingestConfig(dirs.make()) });
    const store = new MemoryTradeStore();
    const taken = createApp(loadConfig({ env: { NODE_ENV: 'test' }, overrides: { ...ingestConfig(dirs.make()), port: first.address.port, host: '127.0.0.1' } }), { tradeStore: store });
    await expect(taken.start()).rejects.toThrow(/EADDRINUSE/);
    expect(store.closed).toBe(true);
  });
});
