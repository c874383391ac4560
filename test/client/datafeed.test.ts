import { BehaviorSubject, of, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BarcastClient, BarsOptions } from '../../src/client/connect.js';
import { createDatafeed, type BarcastDatafeed, type DatafeedSymbolInfo, type HistoryMetadata, type LiveError } from '../../src/client/datafeed.js';
import { IDLE, type TopicState } from '../../src/client/topic-state.js';
import type { Bar } from '../../src/domain/bar.js';
import { type ErrorCode, TopicRequestError } from '../../src/domain/errors.js';
import type { QuoteData } from '../../src/domain/quote.js';
import { clientTracker } from '../support/client-tracker.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
const clients = clientTracker();
afterEach(async () => {
  clients.closeAll();
  await apps.stopAll();
});

async function datafeedFor(overrides: Record<string, unknown> = {}): Promise<{ datafeed: BarcastDatafeed; metrics: () => { subscriptions: number } }> {
  const { httpUrl, wsUrl, app } = await apps.start({ config: overrides });
  const client = clients.connect(wsUrl);
  return { datafeed: createDatafeed({ client, baseUrl: httpUrl }), metrics: () => app.metrics() };
}

/** The library's callbacks as promises. */
const resolve = (datafeed: BarcastDatafeed, name: string) =>
  new Promise<DatafeedSymbolInfo>((done, fail) => datafeed.resolveSymbol(name, done, fail));
const getBars = (datafeed: BarcastDatafeed, info: DatafeedSymbolInfo, resolution: string, from: number, to: number, countBack?: number) =>
  new Promise<{ bars: Bar[]; meta: HistoryMetadata }>((done, fail) =>
    datafeed.getBars(info, resolution, { from, to, firstDataRequest: true, ...(countBack ? { countBack } : {}) }, (bars, meta) => done({ bars, meta }), fail),
  );

describe('createDatafeed, called the way the charting library calls it', () => {
  it('readies, resolves, loads history and ticks live bars that continue it', async () => {
    const { datafeed, metrics } = await datafeedFor();
    const configuration = await new Promise<Record<string, unknown>>((done) => datafeed.onReady(done));
    expect(configuration).toMatchObject({ supported_resolutions: ['1'], supports_search: true });
    const found = await new Promise<unknown[]>((done) => datafeed.searchSymbols('aap', '', '', done));
    expect(found).toEqual([expect.objectContaining({ symbol: 'AAPL' })]);
    const info = await resolve(datafeed, 'AAPL');
    expect(info).toMatchObject({ name: 'AAPL', pricescale: 100 });

    const now = Math.floor(Date.now() / 1000);
    const { bars } = await getBars(datafeed, info, '1', now - 3600, now, 50);
    expect(bars).toHaveLength(50);
    const last = bars[bars.length - 1] as Bar;

    const ticks: Bar[] = [];
    datafeed.subscribeBars(info, '1', (bar) => ticks.push(bar), 'listener-1');
    await expect.poll(() => ticks.length).toBeGreaterThanOrEqual(3);
    for (const [index, tick] of ticks.entries()) {
      expect(tick.time).toBeGreaterThanOrEqual(index === 0 ? last.time : (ticks[index - 1] as Bar).time);
    }
    // UDF history ends with the bar still forming (as UDF servers do): the first live tick
    // updates that bar (same time, same open), or, if it closed meanwhile, is the next one.
    const first = ticks[0] as Bar;
    if (first.time === last.time) expect(first.open).toBe(last.open);
    else expect(first.time).toBe(last.time + 60_000);
    datafeed.unsubscribeBars('listener-1');
    await expect.poll(() => metrics().subscriptions).toBe(0);
  });

  it('reports unknown symbols, bad requests and empty ranges through the right callbacks', async () => {
    const { datafeed } = await datafeedFor();
    await expect(resolve(datafeed, 'NOPE')).rejects.toMatch(/unknown symbol/);
    const info = await resolve(datafeed, 'MSFT');
    await expect(getBars(datafeed, info, '7', 0, 100)).rejects.toMatch(/resolution/);
    const now = Math.floor(Date.now() / 1000);
    const future = await getBars(datafeed, info, '1', now + 3600, now + 7200);
    expect(future).toMatchObject({ bars: [], meta: { noData: true, nextTime: expect.any(Number) } });
  });
});

describe('createDatafeed against the real server, when a live topic is refused', () => {
  it('reaches the chart as an error (onLiveError, then getBars fails), never as onResetCacheNeeded', async () => {
    const { httpUrl, wsUrl } = await apps.start({ config: { broadcaster: { resolutions: ['1'] } } });
    const errors: LiveError[] = [];
    const datafeed = createDatafeed({ client: clients.connect(wsUrl), baseUrl: httpUrl, onLiveError: (error) => errors.push(error) });
    let resets = 0;
    datafeed.subscribeBars({ name: 'AAPL' }, '5', () => undefined, 'five', () => (resets += 1));
    await expect.poll(() => errors).toEqual([expect.objectContaining({ listenerGuid: 'five', symbol: 'AAPL', resolution: '5', code: 'UNSUPPORTED_RESOLUTION' })]);
    await expect(getBars(datafeed, { name: 'AAPL' }, '5', 0, 60)).rejects.toMatch(/resolution/i);
    expect(resets).toBe(0);
  });
});

/** A client whose topics the test drives by hand. */
function scriptedClient() {
  const bars = new Subject<Bar>();
  const state = new BehaviorSubject<TopicState>(IDLE);
  const quotes = new Map<string, Subject<QuoteData>>();
  const asked: { symbol: string; resolution?: string; options?: BarsOptions }[] = [];
  const client: BarcastClient = {
    bars$: (symbol, resolution, options) => {
      asked.push({ symbol, ...(resolution ? { resolution } : {}), ...(options ? { options } : {}) });
      return bars;
    },
    state$: () => state,
    quotes$: (symbol) => {
      const subject = quotes.get(symbol) ?? new Subject<QuoteData>();
      quotes.set(symbol, subject);
      return subject;
    },
    status$: of('open'),
    close: () => undefined,
  };
  return { client, bars, state, quotes, asked };
}

const udfFetch = (routes: Record<string, unknown>): typeof fetch =>
  (async (url: URL) => {
    const body = routes[url.pathname.replace('/api/v1/udf/', '')];
    if (body === undefined) throw new Error(`no route ${url.pathname}`);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body));
  }) as unknown as typeof fetch;

const okQuote = (n: string, lp: number): QuoteData => ({ s: 'ok', n, v: { lp, ask: lp, bid: lp, spread: 0, open_price: lp, high_price: lp, low_price: lp, prev_close_price: lp, volume: 1, ch: 0, chp: 0 } });

describe('createDatafeed, its live side', () => {
  it('never ticks a bar older than the newest one the chart has', () => {
    const older: Bar = { time: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    const newer: Bar = { ...older, time: 120_000 };
    const client: BarcastClient = { ...scriptedClient().client, bars$: () => of(newer, older, newer) };
    const datafeed = createDatafeed({ client, baseUrl: 'http://127.0.0.1:9' });
    const ticks: Bar[] = [];
    datafeed.subscribeBars({ name: 'AAPL' }, '1', (bar) => ticks.push(bar), 'a');
    expect(ticks).toEqual([newer, newer]);
    datafeed.unsubscribeBars('a');
  });

  it('resumes after the bar before the newest one getBars gave (which may be forming), and passes nextTime in seconds as UDF sends it', async () => {
    const { client, asked } = scriptedClient();
    const history = { s: 'ok', t: [60, 120, 180], o: [1, 2, 3], h: [1, 2, 3], l: [1, 2, 3], c: [1, 2, 3], v: [1, 2, 3] };
    const datafeed = createDatafeed({ client, baseUrl: 'http://barcast.test', fetch: udfFetch({ history }) });
    const result = await getBars(datafeed, { name: 'AAPL' }, '1', 0, 200);
    expect(result.meta).toEqual({ noData: false });
    expect(result.bars.map((bar) => bar.time)).toEqual([60_000, 120_000, 180_000]);
    datafeed.subscribeBars({ name: 'AAPL' }, '1', () => undefined, 'a');
    expect(asked).toEqual([{ symbol: 'AAPL', resolution: '1', options: { since: 120_000 } }]);

    const gap = createDatafeed({ client, baseUrl: 'http://barcast.test', fetch: udfFetch({ history: { s: 'no_data', nextTime: 1_700_000_000 } }) });
    expect((await getBars(gap, { name: 'AAPL' }, '1', 0, 200)).meta).toEqual({ noData: true, nextTime: 1_700_000_000 });
    const start = createDatafeed({ client, baseUrl: 'http://barcast.test', fetch: udfFetch({ history: { s: 'no_data' } }) });
    expect((await getBars(start, { name: 'AAPL' }, '1', 0, 200)).meta).toEqual({ noData: true });
  });

  it("reads a close-only UDF answer as TradingView's adapter does, and reports errors without a message", async () => {
    const { client } = scriptedClient();
    const closeOnly = createDatafeed({ client, baseUrl: 'http://barcast.test', fetch: udfFetch({ history: { s: 'ok', t: [60], c: [5] } }) });
    expect((await getBars(closeOnly, { name: 'AAPL' }, '1', 0, 120)).bars).toEqual([{ time: 60_000, open: 5, high: 5, low: 5, close: 5, volume: 0 }]);
    const failing = createDatafeed({ client, baseUrl: 'http://barcast.test', fetch: udfFetch({ history: { s: 'error' }, time: 'soon' }) });
    await expect(getBars(failing, { name: 'AAPL' }, '1', 0, 120)).rejects.toBe('history request failed');
    const times: number[] = [];
    failing.getServerTime((time) => times.push(time));
    // The fetch and its body settle within a few turns of the event loop; no timer is needed.
    for (let turn = 0; turn < 5; turn += 1) await new Promise((settled) => setImmediate(settled));
    expect(times).toEqual([]);
  });

  it('calls onResetCacheNeeded only for a gap nobody could fill, not for a resume or a reload', () => {
    const { client, state } = scriptedClient();
    const datafeed = createDatafeed({ client, baseUrl: 'http://barcast.test' });
    let resets = 0;
    datafeed.subscribeBars({ name: 'AAPL' }, '1', () => undefined, 'a', () => (resets += 1));
    state.next({ ...state.value, phase: 'resuming' });
    state.next({ ...state.value, phase: 'reloading' });
    state.next({ ...state.value, phase: 'live', reloads: 1 });
    expect(resets).toBe(0);
    state.next({ ...state.value, lost: 1, hole: { after: 0, before: 60_000 } });
    expect(resets).toBe(1);
    datafeed.unsubscribeBars('a');
    state.next({ ...state.value, lost: 2 });
    expect(resets).toBe(1);
  });

  it('reports a refused topic as an error, to the page and to the next getBars, never as a reset', async () => {
    const { client, bars } = scriptedClient();
    const errors: LiveError[] = [];
    const datafeed = createDatafeed({ client, baseUrl: 'http://barcast.test', fetch: udfFetch({ history: { s: 'no_data' } }), onLiveError: (error) => errors.push(error) });
    let resets = 0;
    datafeed.subscribeBars({ name: 'AAPL' }, '1', () => undefined, 'a', () => (resets += 1));
    bars.error(new TopicRequestError({ code: 'FORBIDDEN_TOPIC' as ErrorCode, message: 'bars:AAPL:1 is outside your token\'s topics' }));
    expect(resets).toBe(0);
    expect(errors).toEqual([{ listenerGuid: 'a', symbol: 'AAPL', resolution: '1', code: 'FORBIDDEN_TOPIC', message: "bars:AAPL:1 is outside your token's topics" }]);
    await expect(getBars(datafeed, { name: 'AAPL' }, '1', 0, 60)).rejects.toBe("bars:AAPL:1 is outside your token's topics");
  });

  it('answers getQuotes with one array of the first quote of each symbol, named as asked, refusals as error quotes', async () => {
    const { client, quotes } = scriptedClient();
    const datafeed = createDatafeed({ client, baseUrl: 'http://barcast.test' });
    const answer = new Promise<QuoteData[]>((done, fail) => datafeed.getQuotes(['BARCAST:AAPL', 'NOPE'], done, fail));
    quotes.get('BARCAST:AAPL')?.next(okQuote('AAPL', 10));
    quotes.get('NOPE')?.error(new TopicRequestError({ code: 'UNKNOWN_SYMBOL', message: 'Unknown symbol NOPE' }));
    await expect(answer).resolves.toEqual([okQuote('BARCAST:AAPL', 10), { s: 'error', n: 'NOPE', v: { error: 'Unknown symbol NOPE' } }]);
    await expect(new Promise((done, fail) => datafeed.getQuotes([], done, fail))).resolves.toEqual([]);
  });

  it('fails getQuotes when no quote comes in time', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ flush }) => {
      const { client } = scriptedClient();
      const datafeed = createDatafeed({ client, baseUrl: 'http://barcast.test', quotesTimeoutMs: 50, scheduler });
      const reasons: string[] = [];
      datafeed.getQuotes(['AAPL'], () => undefined, (reason) => reasons.push(reason));
      flush();
      expect(reasons).toEqual(['Timeout has occurred']);
    });
  });

  it('streams quotes to subscribeQuotes as arrays, slow and fast symbols alike, until unsubscribed', () => {
    const { client, quotes } = scriptedClient();
    const datafeed = createDatafeed({ client, baseUrl: 'http://barcast.test' });
    const received: QuoteData[][] = [];
    datafeed.subscribeQuotes(['AAPL'], ['MSFT', 'AAPL'], (data) => received.push(data), 'q');
    quotes.get('AAPL')?.next(okQuote('AAPL', 1));
    quotes.get('MSFT')?.next(okQuote('MSFT', 2));
    datafeed.unsubscribeQuotes('q');
    quotes.get('AAPL')?.next(okQuote('AAPL', 3));
    expect(received).toEqual([[okQuote('AAPL', 1)], [okQuote('MSFT', 2)]]);
  });

  it('tells the server time in seconds from UDF /time', async () => {
    const { client } = scriptedClient();
    const datafeed = createDatafeed({ client, baseUrl: 'http://barcast.test', fetch: udfFetch({ time: '1764057600' }) });
    await expect(new Promise((done) => datafeed.getServerTime(done))).resolves.toBe(1_764_057_600);
  });
});

describe('createDatafeed when the server cannot be reached', () => {
  const unreachable = (() => Promise.reject(new Error('connection refused'))) as unknown as typeof fetch;
  const client: BarcastClient = { ...scriptedClient().client, bars$: () => of(), status$: of('closed') };
  const datafeed = createDatafeed({ client, baseUrl: 'http://127.0.0.1:9', fetch: unreachable });
  it('still readies the chart and answers searches, empty', async () => {
    await expect(new Promise((done) => datafeed.onReady(done))).resolves.toEqual({});
    await expect(new Promise((done) => datafeed.searchSymbols('A', '', '', done))).resolves.toEqual([]);
  });

  it('fails symbol resolution and history through onError', async () => {
    await expect(resolve(datafeed, 'AAPL')).rejects.toBe('connection refused');
    await expect(getBars(datafeed, { name: 'AAPL' }, '1', 0, 60)).rejects.toBe('connection refused');
  });
});
