import { afterEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

const MINUTE = 60_000;
const SLOW = { broadcaster: { interval: 60, resolutions: ['1', '5', '1D'] } };

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GET /api/v1/bars', () => {
  it('returns closed bars in time order, one per period, each opening at the close before', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const to = Date.now();
    const { status, body } = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=5&from=${to - 60 * MINUTE}&to=${to}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ symbol: 'AAPL', resolution: '5' });
    const bars = body['bars'] as Bar[];
    expect(bars.length).toBeGreaterThanOrEqual(11);
    for (const [index, bar] of bars.entries()) {
      expect(bar.time % (5 * MINUTE)).toBe(0);
      expect(bar.time + 5 * MINUTE).toBeLessThanOrEqual(Date.now());
      if (index > 0) {
        expect(bar.time - (bars[index - 1] as Bar).time).toBe(5 * MINUTE);
        expect(bar.open).toBe((bars[index - 1] as Bar).close);
      }
    }
  });

  it('joins the live stream: the subscribed bar continues the last closed one', async () => {
    const { httpUrl, wsUrl } = await apps.start({ config: SLOW });
    const client = await TestClient.connect(wsUrl);
    // Subscribe first, then fetch the bars before the live one, however late the fetch is.
    client.subscribeBars('GOOGL');
    const live = (await client.waitFor(isUpdateOf('bars:GOOGL:1'))).payload as unknown as Bar;
    const { body } = await getJson(`${httpUrl}/api/v1/bars?symbol=GOOGL&countback=3&to=${live.time}`);
    const history = body['bars'] as Bar[];
    const last = history[history.length - 1] as Bar;
    expect(history).toHaveLength(3);
    expect(live.time).toBe(last.time + MINUTE);
    expect(live.open).toBe(last.close);
    await client.close();
  });

  it('joins a resampled coarse topic too: its first bar holds the period so far and continues history', async () => {
    const { httpUrl, wsUrl } = await apps.start({ config: SLOW });
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('MSFT', '5');
    const update = await client.waitFor(isUpdateOf('bars:MSFT:5'));
    const live = update.payload as unknown as Bar;
    const { body } = await getJson(`${httpUrl}/api/v1/bars?symbol=MSFT&resolution=5&countback=2&to=${live.time}`);
    const last = (body['bars'] as Bar[])[1] as Bar;
    expect(live.time).toBe(last.time + 5 * MINUTE);
    expect(live.open).toBe(last.close);
    // and it agrees with the minute bars of its period closed when it was sent
    const minutes = await getJson(`${httpUrl}/api/v1/bars?symbol=MSFT&resolution=1&from=${live.time}&to=${Math.floor((update.ts ?? 0) / MINUTE) * MINUTE}`);
    for (const minute of minutes.body['bars'] as Bar[]) {
      expect(live.high).toBeGreaterThanOrEqual(minute.high);
      expect(live.low).toBeLessThanOrEqual(minute.low);
    }
    await client.close();
  });

  it('answers bad requests with a 400 that names the problem', async () => {
    const { httpUrl } = await apps.start({ config: { ...SLOW, history: { maxBars: 100 } } });
    const cases: [string, string][] = [
      ['resolution=1&countback=5', 'INVALID_SYMBOL'],
      ['symbol=aa%20pl&countback=5', 'INVALID_SYMBOL'],
      ['symbol=AAPL&resolution=7&countback=5', 'INVALID_RESOLUTION'],
      ['symbol=AAPL&resolution=60&countback=5', 'UNSUPPORTED_RESOLUTION'],
      ['symbol=AAPL', 'INVALID_RANGE'],
      ['symbol=AAPL&from=abc', 'INVALID_RANGE'],
      ['symbol=AAPL&from=-99999999999999999', 'INVALID_RANGE'],
      ['symbol=AAPL&from=2000&to=1000', 'INVALID_RANGE'],
      ['symbol=AAPL&countback=0', 'INVALID_RANGE'],
      ['symbol=AAPL&countback=101', 'RANGE_TOO_LARGE'],
      ['symbol=AAPL&from=0', 'RANGE_TOO_LARGE'],
    ];
    for (const [query, code] of cases) {
      const { status, body } = await getJson(`${httpUrl}/api/v1/bars?${query}`);
      expect({ query, status, code: body['code'] }).toEqual({ query, status: 400, code });
      expect(body['message']).toEqual(expect.any(String));
    }
  });

  it('accepts countback at exactly HISTORY_MAX_BARS, and refuses one more', async () => {
    const { httpUrl } = await apps.start({ config: { ...SLOW, history: { maxBars: 100 } } });
    const atLimit = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&countback=100`);
    expect(atLimit.status).toBe(200);
    expect(atLimit.body['bars']).toHaveLength(100);
    const over = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&countback=101`);
    expect(over).toMatchObject({ status: 400, body: { code: 'RANGE_TOO_LARGE' } });
  });

  it('answers an unknown symbol with 404', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const { status, body } = await getJson(`${httpUrl}/api/v1/bars?symbol=NOPE&countback=5`);
    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 'error', code: 'UNKNOWN_SYMBOL' });
  });
});

describe('UDF /api/v1/udf', () => {
  it('describes itself, its symbols and the server time', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const config = await getJson(`${httpUrl}/api/v1/udf/config`);
    expect(config.body).toMatchObject({ supported_resolutions: ['1', '5', '1D'], supports_search: true, supports_time: true });
    const symbol = await getJson(`${httpUrl}/api/v1/udf/symbols?symbol=BARCAST:MSFT`);
    expect(symbol.body).toMatchObject({ name: 'MSFT', ticker: 'MSFT', pricescale: 100, has_intraday: true, has_daily: true, session: '24x7' });
    const unknown = await getJson(`${httpUrl}/api/v1/udf/symbols?symbol=NOPE`);
    expect(unknown).toMatchObject({ status: 404, body: { s: 'error' } });
    const search = await fetch(`${httpUrl}/api/v1/udf/search?query=oo&limit=5`).then((response) => response.json());
    expect(search).toEqual([expect.objectContaining({ symbol: 'GOOGL', ticker: 'GOOGL', exchange: 'BARCAST' })]);
    const time = Number(await fetch(`${httpUrl}/api/v1/udf/time`).then((response) => response.text()));
    expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(60);
  });

  it('serves history in seconds, as UDF columns, matching the REST bars', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const to = Math.floor(Date.now() / 1000);
    const udf = await getJson(`${httpUrl}/api/v1/udf/history?symbol=AAPL&resolution=D&from=${to - 10 * 86_400}&to=${to}`);
    const rest = await getJson(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1D&from=${(to - 10 * 86_400) * 1000}&to=${to * 1000}`);
    const bars = rest.body['bars'] as Bar[];
    // UDF adds the day still forming (UDF servers do; TradingView's UDF datafeed polls history for live bars).
    const closed = (column: string) => (udf.body[column] as number[]).slice(0, bars.length);
    expect({ s: udf.body['s'], t: closed('t'), o: closed('o'), h: closed('h'), l: closed('l'), c: closed('c'), v: closed('v') }).toEqual({
      s: 'ok',
      t: bars.map((bar) => bar.time / 1000),
      o: bars.map((bar) => bar.open),
      h: bars.map((bar) => bar.high),
      l: bars.map((bar) => bar.low),
      c: bars.map((bar) => bar.close),
      v: bars.map((bar) => bar.volume),
    });
    expect(bars.length).toBeGreaterThanOrEqual(9);
    const times = udf.body['t'] as number[];
    expect(times).toHaveLength(bars.length + 1);
    expect(times[bars.length]).toBe(Math.floor(to / 86_400) * 86_400);
    expect((udf.body['o'] as number[])[bars.length]).toBe((bars[bars.length - 1] as Bar).close);
  });

  it('says no_data with the closest earlier bar for a range still to come, and errors in UDF shape', async () => {
    const { httpUrl } = await apps.start({ config: SLOW });
    const now = Math.floor(Date.now() / 1000);
    const future = await getJson(`${httpUrl}/api/v1/udf/history?symbol=AAPL&resolution=1&from=${now + 3600}&to=${now + 7200}`);
    expect(future.body['s']).toBe('no_data');
    expect(now - (future.body['nextTime'] as number)).toBeLessThanOrEqual(120);
    const bad = await getJson(`${httpUrl}/api/v1/udf/history?symbol=AAPL&resolution=1&from=x&to=${now}`);
    expect(bad).toMatchObject({ status: 400, body: { s: 'error', errmsg: expect.stringContaining('from') } });
  });
});
