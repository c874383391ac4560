import { afterEach, describe, expect, it } from 'vitest';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

const QUOTE_FIELDS = ['lp', 'ask', 'bid', 'spread', 'open_price', 'high_price', 'low_price', 'prev_close_price', 'volume', 'ch', 'chp'];

describe('quotes over WebSocket', () => {
  it('subscribes several symbols in one request and streams TradingView quotes, an error quote for an unknown symbol', async () => {
    const { wsUrl } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.send({ type: 'quotes.subscribe', payload: { symbols: ['AAPL', 'MSFT', 'NOPE', 'bad!'] } });

    const response = await client.waitFor(isType('quotes.subscribe.response'));
    expect(response.payload).toEqual({
      status: 'ok',
      topics: [
        { status: 'ok', symbol: 'AAPL', topic: 'quotes:AAPL', message: 'Subscribed to quotes:AAPL' },
        { status: 'ok', symbol: 'MSFT', topic: 'quotes:MSFT', message: 'Subscribed to quotes:MSFT' },
        { status: 'error', symbol: 'NOPE', topic: 'quotes:NOPE', code: 'UNKNOWN_SYMBOL', message: expect.stringContaining('Unknown symbol NOPE') },
        { status: 'error', symbol: 'bad!', code: 'INVALID_SYMBOL', message: expect.any(String) },
      ],
      message: 'Subscribed to 2 of 4 topics',
    });
    const rejected = await client.waitFor(isUpdateOf('quotes:NOPE'));
    expect(rejected).toMatchObject({ type: 'quotes.update', payload: { s: 'error', n: 'NOPE', v: { error: expect.stringContaining('NOPE') } } });

    const [quote] = await client.waitForCount(isUpdateOf('quotes:MSFT'), 1);
    expect(quote).toMatchObject({ type: 'quotes.update', payload: { s: 'ok', n: 'MSFT' } });
    expect(Object.keys((quote?.payload?.['v'] ?? {}) as object).sort()).toEqual([...QUOTE_FIELDS].sort());
    await client.close();
  });

  it('quotes the same prices the 1-minute bars of the symbol carry', async () => {
    const { wsUrl } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL', '1');
    await client.waitFor(isType('bars.subscribe.response'));
    client.send({ type: 'quotes.subscribe', payload: { symbols: ['AAPL'] } });
    const quotes = await client.waitForCount(isUpdateOf('quotes:AAPL'), 3);
    const bars = await client.waitForCount(isUpdateOf('bars:AAPL:1'), client.messages.filter(isUpdateOf('bars:AAPL:1')).length + 1);
    const closes = new Set(bars.map((bar) => bar.payload?.['close']));
    for (const update of quotes) expect(closes).toContain((update.payload?.['v'] as { lp: number }).lp);
    await client.close();
  });

  it('quotes the day so far and the previous close that the day bars of the history endpoint hold', async () => {
    const DAY = 86_400_000;
    const { httpUrl, wsUrl } = await apps.start({ config: { broadcaster: { resolutions: ['1', '1D'] } } });
    const client = await TestClient.connect(wsUrl);
    client.send({ type: 'quotes.subscribe', payload: { symbols: ['AAPL'] } });
    const quote = (await client.waitFor(isUpdateOf('quotes:AAPL'))).payload?.['v'] as Record<string, number>;
    const today = Math.floor(Date.now() / DAY) * DAY;
    const history = (await (await fetch(`${httpUrl}/api/v1/bars?symbol=AAPL&resolution=1D&countback=1&to=${today}`)).json()) as {
      bars: { open: number; close: number }[];
    };
    const yesterday = history.bars[0]!;
    expect(quote['prev_close_price']).toBe(yesterday.close);
    // Days chain: today opened on yesterday's close, not on the minute the topic started.
    expect(quote['open_price']).toBe(yesterday.close);
    expect(quote['volume']).toBeGreaterThan(0);
    await client.close();
  });

  it('unsubscribes per topic and answers a malformed request with INVALID_PAYLOAD', async () => {
    const { app, wsUrl } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.send({ type: 'quotes.subscribe', payload: { symbols: ['AAPL', 'MSFT'] } });
    await client.waitFor(isType('quotes.subscribe.response'));
    expect(app.metrics().subscriptions).toBe(2);

    client.send({ type: 'quotes.unsubscribe', payload: { symbols: ['AAPL', 'GOOGL'] } });
    const response = await client.waitFor(isType('quotes.unsubscribe.response'));
    expect(response.payload).toMatchObject({
      status: 'ok',
      topics: [
        { status: 'ok', topic: 'quotes:AAPL', message: 'Unsubscribed from quotes:AAPL' },
        { status: 'ok', topic: 'quotes:GOOGL', message: 'Was not subscribed to quotes:GOOGL' },
      ],
      message: 'Unsubscribed from 1 of 2 topics',
    });
    expect(app.metrics().subscriptions).toBe(1);

    client.send({ type: 'quotes.subscribe', payload: { symbols: ['MSFT'] } });
    const again = await client.waitFor(isType('quotes.subscribe.response'), { from: client.messages.indexOf(response) + 1 });
    expect(again.payload).toMatchObject({ topics: [{ status: 'ok', message: 'Already subscribed to quotes:MSFT' }] });
    expect(app.metrics().subscriptions).toBe(1);

    client.send({ type: 'quotes.subscribe', payload: { symbols: 'AAPL' } });
    const refused = await client.waitFor(isType('quotes.subscribe.response'), { from: client.messages.indexOf(again) + 1 });
    expect(refused.payload).toMatchObject({ status: 'error', code: 'INVALID_PAYLOAD' });
    await client.close();
  });

  it('serves bars:AAPL:5 resampled from bars:AAPL:1: both close at the same price each tick', async () => {
    const { wsUrl } = await apps.start({ config: { broadcaster: { resolutions: ['1', '5'] } } });
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL', '5');
    client.subscribeBars('AAPL', '1');
    // Within a tick the derived bars:AAPL:5 is sent before bars:AAPL:1, so counting from
    // just after a bars:AAPL:1 update pairs the updates of the same ticks.
    const first = await client.waitFor(isUpdateOf('bars:AAPL:1'));
    const start = client.messages.indexOf(first) + 1;
    const fives = await client.waitForCount(isUpdateOf('bars:AAPL:5'), 3, { from: start });
    const ones = await client.waitForCount(isUpdateOf('bars:AAPL:1'), 3, { from: start });
    expect(fives.map((update) => update.payload?.['close'])).toEqual(ones.map((update) => update.payload?.['close']));
    for (const [index, five] of fives.entries()) {
      expect(Number(five.payload?.['time']) % 300_000).toBe(0);
      expect(Number(five.payload?.['volume'])).toBeGreaterThanOrEqual(Number(ones[index]?.payload?.['volume']));
    }
    await client.close();
  });
});
