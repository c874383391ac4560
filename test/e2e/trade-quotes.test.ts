import { afterEach, describe, expect, it } from 'vitest';
import type { SchedulerLike } from 'rxjs';
import { isUpdateOf, testApps, type TestClient } from '../../src/testing/index.js';
import { createDatafeed } from '../../src/client/datafeed.js';
import type { QuoteData } from '../../src/domain/quote.js';
import { clientTracker } from '../support/client-tracker.js';
import { fastClock } from '../support/fast-clock.js';
import { dataDirs, ingestConfig, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';

const apps = testApps();
const dirs = dataDirs();
const clients = clientTracker();
afterEach(async () => {
  clients.closeAll();
  await apps.stopAll();
  dirs.removeAll();
});

/** A minute passes in 0.6 s. */
const SPEED = 100;
const DAY = 86_400_000;
const MINUTE = 60_000;
/** A UTC midnight: a session ends during each test. */
const MIDNIGHT = Date.UTC(2026, 0, 6);
/** The clock starts this long before midnight: 1.8 s real, time to start up on a busy machine. */
const LEAD = 180_000;
const publisherHeaders = { headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } };

interface QuoteValues {
  readonly lp: number;
  readonly open_price: number;
  readonly high_price: number;
  readonly low_price: number;
  readonly prev_close_price: number;
  readonly volume: number;
  readonly ch: number;
  readonly chp: number;
}

type Quote = { s: string; n: string; v: QuoteValues & Record<string, unknown> };

async function until(clock: SchedulerLike, time: number): Promise<void> {
  while (clock.now() < time) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function quoteWith(client: TestClient, topic: string, match: (values: QuoteValues) => boolean): Promise<Quote> {
  const message = await client.waitFor((candidate) => isUpdateOf(topic)(candidate) && match((candidate.payload as unknown as Quote).v), { timeoutMs: 5_000 });
  return message.payload as unknown as Quote;
}

async function udfQuotes(httpUrl: string, symbols: string): Promise<{ s: string; d: Quote[] }> {
  return (await (await fetch(`${httpUrl}/api/v1/udf/quotes?symbols=${symbols}`)).json()) as { s: string; d: Quote[] };
}

describe('quotes of trade-fed symbols on a real server', () => {
  it('quotes a trade-fed symbol from its trades: an error quote before the first, then the day so far against the previous session close, over WebSocket and UDF', async () => {
    const clock = fastClock(SPEED, MIDNIGHT - LEAD);
    const { httpUrl, connect } = await apps.start({ scheduler: clock, config: ingestConfig(dirs.make()) });
    const watcher = await connect();
    const subscribed = await watcher.response(watcher.subscribe('quotes', { symbols: ['ACME', 'AAPL'] }));
    expect(subscribed.payload).toMatchObject({ status: 'ok', topics: [{ status: 'ok', topic: 'quotes:ACME' }, { status: 'ok', topic: 'quotes:AAPL' }] });
    // No trade yet: UDF and the topic both answer TradingView's per-symbol error quote, once.
    const before = await udfQuotes(httpUrl, 'ACME,AAPL');
    expect(before.s).toBe('ok');
    const noTrades = { s: 'error', n: 'ACME', v: { error: expect.stringContaining('no trades') } };
    expect(before.d[0]).toEqual(noTrades);
    expect(before.d[1]).toMatchObject({ s: 'ok', n: 'AAPL' });
    await watcher.waitFor(isUpdateOf('quotes:AAPL'));
    await watcher.waitFor(isUpdateOf('quotes:ACME'));
    expect(watcher.messages.filter(isUpdateOf('quotes:ACME')).map((message) => message.payload)).toEqual([noTrades]);

    const publisher = await connect(publisherHeaders);
    expect(clock.now(), 'started up before midnight').toBeLessThan(MIDNIGHT - 10_000);
    // The last trade of the old session: its close is the new session's previous close.
    expect(await publishOverWs(publisher, [{ symbol: 'ACME', price: 10, size: 5, time: clock.now(), id: 'old' }])).toMatchObject({ accepted: 1 });
    const first = await quoteWith(watcher, 'quotes:ACME', (v) => v.lp === 10);
    // No session before it: its own open stands in for the previous close, as with a mock series' first day.
    expect(first).toMatchObject({ s: 'ok', n: 'ACME', v: { lp: 10, open_price: 10, high_price: 10, low_price: 10, volume: 5, prev_close_price: 10, ch: 0, chp: 0 } });

    await until(clock, MIDNIGHT + 1_000);
    const now = clock.now();
    expect(
      await publishOverWs(publisher, [
        { symbol: 'ACME', price: 11, size: 1, time: now, id: 'n1' },
        { symbol: 'ACME', price: 12.5, size: 2, time: now, id: 'n2' },
        { symbol: 'ACME', price: 9, size: 3, time: now, id: 'n3' },
      ]),
    ).toMatchObject({ accepted: 3 });
    const today = { lp: 9, open_price: 11, high_price: 12.5, low_price: 9, volume: 6, prev_close_price: 10, ch: -1, chp: -10 };
    const live = await quoteWith(watcher, 'quotes:ACME', (v) => v.volume === 6);
    expect(live.v).toMatchObject(today);
    expect(Object.keys(live.v).sort()).toEqual(['ask', 'bid', 'ch', 'chp', 'high_price', 'low_price', 'lp', 'open_price', 'prev_close_price', 'spread', 'volume']);

    // UDF answers the same quote, with the fields UDF adds.
    const udf = await udfQuotes(httpUrl, 'BARCAST:ACME');
    expect(udf).toEqual({ s: 'ok', d: [{ s: 'ok', n: 'BARCAST:ACME', v: { ...live.v, short_name: 'ACME', exchange: 'BARCAST', description: 'ACME (from published trades)' } }] });

    // A subscriber that comes when nothing is trading (the topic stopped, the minute final) gets
    // the quote at once, not at the next trade.
    await watcher.response(watcher.unsubscribe('quotes', { symbols: ['ACME', 'AAPL'] }));
    await until(clock, now + MINUTE + 2_000 + 500);
    const late = await connect();
    await late.response(late.subscribe('quotes', { symbols: ['ACME'] }));
    expect((await quoteWith(late, 'quotes:ACME', () => true)).v).toMatchObject(today);
    // BETA, trade-fed too, has had no trades: still nothing.
    expect((await udfQuotes(httpUrl, 'BETA')).d).toEqual([{ s: 'error', n: 'BETA', v: { error: expect.stringContaining('no trades') } }]);
  });

  it('quotes the same numbers after a restart, from the bars and trades in the store', async () => {
    const dataDir = dirs.make();
    const clock = fastClock(SPEED, MIDNIGHT - LEAD);
    const first = await apps.start({ scheduler: clock, config: ingestConfig(dataDir) });
    const publisher = await first.connect(publisherHeaders);
    expect(clock.now(), 'started up before midnight').toBeLessThan(MIDNIGHT - 10_000);
    expect(await publishOverWs(publisher, [{ symbol: 'ACME', price: 20, size: 1, time: clock.now() }])).toMatchObject({ accepted: 1 });
    await until(clock, MIDNIGHT + 1_000);
    expect(await publishOverWs(publisher, [{ symbol: 'ACME', price: 22, size: 4, time: clock.now() }])).toMatchObject({ accepted: 1 });
    const watcher = await first.connect();
    await watcher.response(watcher.subscribe('quotes', { symbols: ['ACME'] }));
    const expected = { lp: 22, open_price: 22, high_price: 22, low_price: 22, volume: 4, prev_close_price: 20, ch: 2, chp: 10 };
    expect((await quoteWith(watcher, 'quotes:ACME', (v) => v.volume === 4)).v).toMatchObject(expected);
    await first.stop();

    const second = await apps.start({ scheduler: clock, config: ingestConfig(dataDir) });
    expect((await udfQuotes(second.httpUrl, 'ACME')).d[0]).toMatchObject({ s: 'ok', v: expected });
    const again = await second.connect();
    await again.response(again.subscribe('quotes', { symbols: ['ACME'] }));
    expect((await quoteWith(again, 'quotes:ACME', () => true)).v).toMatchObject(expected);
    expect(clock.now()).toBeLessThan(MIDNIGHT + DAY);
  });

  it("answers the TradingView datafeed's getQuotes at once for a symbol nobody has traded yet, with its error quote", async () => {
    const { httpUrl, wsUrl } = await apps.start({ config: ingestConfig(dirs.make()) });
    const datafeed = createDatafeed({ client: clients.connect(wsUrl), baseUrl: httpUrl, quotesTimeoutMs: 5_000 });
    const answer = await new Promise<QuoteData[]>((done, fail) => datafeed.getQuotes(['BETA', 'AAPL'], done, (reason) => fail(new Error(reason))));
    expect(answer).toEqual([
      { s: 'error', n: 'BETA', v: { error: expect.stringContaining('no trades') } },
      expect.objectContaining({ s: 'ok', n: 'AAPL' }),
    ]);
  });
});
