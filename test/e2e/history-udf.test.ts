import { afterEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

const DAY = 86_400_000;
const LISTED = Date.UTC(2020, 0, 1);
const SLOW = { broadcaster: { interval: 60, resolutions: ['1', '1D', '1W', '1M'] }, history: { listingDate: '2020-01-01' } };

async function getJson(url: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('history that starts at the listing', () => {
  it('REST: empty before the listing and before 1970, cut at the first bar across it', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const bars = (body: Record<string, unknown>) => body['bars'] as Bar[];
    const before = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1D&from=${LISTED - 30 * DAY}&to=${LISTED}`);
    expect(before).toMatchObject({ status: 200, body: { bars: [] } });
    const pre1970 = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1M&from=-2208988800000&to=-1`);
    expect(pre1970).toMatchObject({ status: 200, body: { bars: [] } });
    const across = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1M&from=-2208988800000&to=${Date.UTC(2021, 0, 1)}`);
    expect(bars(across.body).map((bar) => bar.time)).toEqual(Array.from({ length: 12 }, (_, month) => Date.UTC(2020, month, 1)));
    const countback = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1D&countback=10&to=${LISTED + 3 * DAY}`);
    expect(bars(countback.body).map((bar) => bar.time)).toEqual([LISTED, LISTED + DAY, LISTED + 2 * DAY]);
  });

  it('UDF: no_data without nextTime before the first bar, so TradingView stops paging back', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const seconds = (ms: number) => Math.floor(ms / 1000);
    for (const resolution of ['1W', '1M', '1D']) {
      const before = await getJson(`${httpUrl}/api/v1/udf/history?symbol=BARCAST:AAPL&resolution=${resolution}&from=-2208988800&to=${seconds(LISTED)}`);
      expect({ resolution, ...before }).toMatchObject({ resolution, status: 200, body: { s: 'no_data' } });
      expect(before.body).not.toHaveProperty('nextTime');
    }
    // A gap after the first bar still points back: the range after now answers with the forming bar's time.
    const future = await getJson(`${httpUrl}/api/v1/udf/history?symbol=AAPL&resolution=1D&from=${seconds(Date.now() + 10 * DAY)}&to=${seconds(Date.now() + 20 * DAY)}`);
    expect(future.body).toEqual({ s: 'no_data', nextTime: Math.floor(Date.now() / DAY) * 86_400 });
    const across = await getJson(`${httpUrl}/api/v1/udf/history?symbol=aapl&resolution=1M&from=-2208988800&to=${seconds(Date.UTC(2020, 3, 1))}`);
    expect(across.body['t']).toEqual([0, 1, 2].map((month) => seconds(Date.UTC(2020, month, 1))));
  });

  it('refuses a range that costs more than the budget, naming it', async () => {
    const { httpUrl } = await apps.start({ config: { ...SLOW, history: { listingDate: '1900-01-01', maxCost: 1_000 } } });
    const cheap = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1W&countback=140`);
    expect(cheap.status).toBe(200);
    const costly = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1W&countback=150`);
    expect(costly).toMatchObject({ status: 400, body: { code: 'RANGE_TOO_LARGE', message: expect.stringContaining('budget of 1000') } });
  });
});

describe('UDF quotes, search and symbols', () => {
  it('answers /quotes in TradingView\'s shape, each n exactly as asked, unknown symbols as errors', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const { status, body } = await getJson(`${httpUrl}/api/v1/udf/quotes?symbols=AAPL,barcast:msft,NOPE`);
    expect(status).toBe(200);
    expect(body['s']).toBe('ok');
    const quotes = body['d'] as { s: string; n: string; v: Record<string, number | string> }[];
    expect(quotes.map((quote) => [quote.s, quote.n])).toEqual([
      ['ok', 'AAPL'],
      ['ok', 'barcast:msft'],
      ['error', 'NOPE'],
    ]);
    const today = Math.floor(Date.now() / DAY) * DAY;
    const days = (await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1D&countback=1&to=${today}`)).body['bars'] as Bar[];
    const aapl = quotes[0]?.v ?? {};
    expect(aapl).toMatchObject({ short_name: 'AAPL', exchange: 'BARCAST', prev_close_price: days[0]?.close, open_price: days[0]?.close });
    expect(aapl['bid']).toBeLessThan(aapl['ask'] as number);
    const missing = await getJson(`${httpUrl}/api/v1/udf/quotes`);
    expect(missing).toMatchObject({ status: 400, body: { s: 'error' } });
  });

  it('honours search\'s type and exchange filters (empty means any)', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const search = async (query: string) => (await fetch(`${httpUrl}/api/v1/udf/search?${query}`).then((response) => response.json())) as { symbol: string }[];
    expect((await search('query=&type=&exchange=')).map((item) => item.symbol)).toEqual(['AAPL', 'GOOGL', 'MSFT']);
    expect((await search('query=a&type=stock&exchange=BARCAST')).map((item) => item.symbol)).toEqual(['AAPL']);
    expect(await search('query=a&type=futures')).toEqual([]);
    expect(await search('query=a&exchange=NYSE')).toEqual([]);
  });

  it('resolves symbols as UDF sends them', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    for (const symbol of ['aapl', 'BARCAST:AAPL', 'barcast:aapl']) {
      expect((await getJson(`${httpUrl}/api/v1/udf/symbols?symbol=${symbol}`)).body).toMatchObject({ name: 'AAPL', ticker: 'AAPL' });
    }
    expect((await getJson(`${httpUrl}/api/v1/udf/symbols?symbol=NASDAQ:AAPL`)).status).toBe(404);
  });
});

describe('the history rate limit', () => {
  it('answers 429 with Retry-After past the per-client limit, in each endpoint\'s error shape', async () => {
    const { httpUrl } = await apps.start({ config: { ...SLOW, history: { rateLimit: 3, rateWindowMs: 60_000 } } });
    for (let request = 0; request < 3; request += 1) expect((await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&countback=2`)).status).toBe(200);
    const rest = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&countback=2`);
    expect(rest).toMatchObject({ status: 429, body: { status: 'error', code: 'RATE_LIMITED' } });
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(rest.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const udf = await getJson(`${httpUrl}/api/v1/udf/config`);
    expect(udf).toMatchObject({ status: 429, body: { s: 'error', errmsg: expect.stringContaining('too many') } });
    // Health and the WebSocket's own routes are not history: never limited here.
    expect((await fetch(`${httpUrl}/health`)).status).toBe(200);
  });
});
