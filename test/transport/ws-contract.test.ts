import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetricsSnapshot } from '../../src/streams/metrics.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';
import { isType, isUpdateOf, type ServerMessage, testApps, TestClient } from '../../src/testing/index.js';

const clients: TestClient[] = [];

async function connect(wsUrl: string): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  clients.push(client);
  return client;
}

async function metricsOf(httpUrl: string): Promise<MetricsSnapshot> {
  const response = await fetch(`${httpUrl}/api/v1/broadcaster/metrics`);
  return (await response.json()) as MetricsSnapshot;
}

/** Sends one request and resolves with the next message of `type` that follows it. */
async function request(client: TestClient, message: unknown, type: string): Promise<ServerMessage> {
  const from = client.messages.length;
  client.send(message);
  return client.waitFor(isType(type), { from });
}

const subscribeAapl = { type: 'bars.subscribe', payload: { symbol: 'AAPL', params: { resolution: '1' } } };

// Written once, run against every WebSocket engine (transport.engine): ws and uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('WebSocket contract on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await apps.stopAll();
  });

  it('answers a subscribe with its response, then streams bars.update frames for the topic', async () => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    const response = await request(client, subscribeAapl, 'bars.subscribe.response');
    expect(response).toEqual({
      type: 'bars.subscribe.response',
      payload: { status: 'ok', symbol: 'AAPL', resolution: '1', topic: 'bars:AAPL:1', message: 'Subscribed to bars:AAPL:1' },
    });
    const updates = await client.waitForCount(isUpdateOf('bars:AAPL:1'), 2);
    for (const update of updates) {
      expect(Object.keys(update).sort()).toEqual(['epoch', 'final', 'payload', 'seq', 'topic', 'ts', 'type']);
      expect(update.ts).toBeGreaterThan(Date.now() - 60_000);
      expect(Object.keys(update.payload ?? {}).sort()).toEqual(['close', 'high', 'low', 'open', 'time', 'volume']);
    }
    expect(client.messages.indexOf(response)).toBeLessThan(client.messages.indexOf(updates[0]!));
  });

  it('accepts the flat payload form and defaults the resolution to 1', async () => {
    const { wsUrl } = await apps.start({ config: { broadcaster: { resolutions: ['1', '1D'] } } });
    const client = await connect(wsUrl);
    const flat = await request(client, { type: 'bars.subscribe', payload: { symbol: 'MSFT', resolution: 'D' } }, 'bars.subscribe.response');
    expect(flat.payload).toMatchObject({ status: 'ok', resolution: '1D', topic: 'bars:MSFT:1D' });
    const bare = await request(client, { type: 'bars.subscribe', payload: { symbol: 'MSFT' } }, 'bars.subscribe.response');
    expect(bare.payload).toMatchObject({ status: 'ok', resolution: '1', topic: 'bars:MSFT:1' });
    await client.waitFor(isUpdateOf('bars:MSFT:1D'));
    await client.waitFor(isUpdateOf('bars:MSFT:1'));
  });

  it('keeps one subscription when a connection subscribes twice to one topic', async () => {
    const { wsUrl, httpUrl } = await apps.start();
    const client = await connect(wsUrl);
    await request(client, subscribeAapl, 'bars.subscribe.response');
    const again = await request(client, { type: 'bars.subscribe', payload: { symbol: 'AAPL' } }, 'bars.subscribe.response');
    expect(again.payload).toMatchObject({ status: 'ok', topic: 'bars:AAPL:1', message: 'Already subscribed to bars:AAPL:1' });
    const from = client.messages.length;
    const updates = await client.waitForCount(isUpdateOf('bars:AAPL:1'), 3, { from });
    expect(new Set(updates.map((update) => update.ts)).size).toBe(3); // one frame per tick, not two
    expect(await metricsOf(httpUrl)).toMatchObject({ subscriptions: 1, clients: 1, active_topics: 1 });
  });

  it('streams two topics on one connection, and unsubscribing one stops only that one', async () => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    await request(client, subscribeAapl, 'bars.subscribe.response');
    await request(client, { type: 'bars.subscribe', payload: { symbol: 'MSFT' } }, 'bars.subscribe.response');
    await client.waitFor(isUpdateOf('bars:AAPL:1'));
    await client.waitFor(isUpdateOf('bars:MSFT:1'));

    const response = await request(client, { type: 'bars.unsubscribe', payload: { symbol: 'AAPL', params: { resolution: '1' } } }, 'bars.unsubscribe.response');
    expect(response.payload).toEqual({
      status: 'ok',
      symbol: 'AAPL',
      resolution: '1',
      topic: 'bars:AAPL:1',
      message: 'Unsubscribed from bars:AAPL:1',
    });
    const after = client.messages.indexOf(response) + 1;
    await client.waitForCount(isUpdateOf('bars:MSFT:1'), 3, { from: after });
    expect(client.messages.slice(after).filter(isUpdateOf('bars:AAPL:1'))).toEqual([]);

    const twice = await request(client, { type: 'bars.unsubscribe', payload: { symbol: 'AAPL' } }, 'bars.unsubscribe.response');
    expect(twice.payload).toMatchObject({ status: 'ok', message: 'Was not subscribed to bars:AAPL:1' });
  });

  it('sends every subscriber of a topic the very same frame', async () => {
    const { wsUrl } = await apps.start();
    const [a, b] = [await connect(wsUrl), await connect(wsUrl)];
    await request(a, subscribeAapl, 'bars.subscribe.response');
    await request(b, subscribeAapl, 'bars.subscribe.response');
    const [fromA] = await a.waitForCount(isUpdateOf('bars:AAPL:1'), 1, { from: a.messages.length });
    const fromB = await b.waitFor((message) => isUpdateOf('bars:AAPL:1')(message) && message.ts === fromA?.ts);
    expect(fromB).toEqual(fromA);
  });

  it.each([
    ['an unknown symbol', { type: 'bars.subscribe', payload: { symbol: 'TSLA' } }, 'UNKNOWN_SYMBOL'],
    ['a resolution not served', { type: 'bars.subscribe', payload: { symbol: 'AAPL', params: { resolution: '5' } } }, 'UNSUPPORTED_RESOLUTION'],
    ['an unknown resolution spelling', { type: 'bars.subscribe', payload: { symbol: 'AAPL', params: { resolution: '7' } } }, 'INVALID_RESOLUTION'],
    ['a missing symbol', { type: 'bars.subscribe', payload: {} }, 'INVALID_PAYLOAD'],
    ['a payload that is not an object', { type: 'bars.subscribe', payload: 'AAPL' }, 'INVALID_PAYLOAD'],
    ['a symbol of the wrong type', { type: 'bars.subscribe', payload: { symbol: 42 } }, 'INVALID_PAYLOAD'],
    ['a malformed symbol', { type: 'bars.subscribe', payload: { symbol: 'aapl;drop' } }, 'INVALID_SYMBOL'],
    ['a huge symbol', { type: 'bars.subscribe', payload: { symbol: 'A'.repeat(5_000) } }, 'INVALID_SYMBOL'],
    ['params that are not an object', { type: 'bars.subscribe', payload: { symbol: 'AAPL', params: [] } }, 'INVALID_PAYLOAD'],
    ['an unsubscribe for an unknown symbol', { type: 'bars.unsubscribe', payload: { symbol: 'TSLA' } }, 'UNKNOWN_SYMBOL'],
  ])('answers %s with status error and a stable code, keeping other subscriptions flowing', async (_case, message, code) => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    await request(client, subscribeAapl, 'bars.subscribe.response');
    const type = `${(message as { type: string }).type}.response`;
    const response = await request(client, message, type);
    expect(response.payload).toMatchObject({ status: 'error', code, message: expect.any(String) });
    await client.waitForCount(isUpdateOf('bars:AAPL:1'), 2, { from: client.messages.indexOf(response) });
  });

  it.each([
    ['a frame that is not JSON', '{"type":', 'INVALID_JSON'],
    ['JSON that is not an object', '[1,2,3]', 'INVALID_MESSAGE'],
    ['a message without a type', '{"payload":{}}', 'INVALID_MESSAGE'],
    ['an unknown type', '{"type":"bars.explode"}', 'UNKNOWN_TYPE'],
    ['an unknown topic kind', '{"type":"candles.subscribe","payload":{}}', 'UNKNOWN_TYPE'],
  ])('answers %s with a generic error message and stays open', async (_case, frame, code) => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    await request(client, subscribeAapl, 'bars.subscribe.response');
    const error = await request(client, frame, 'error');
    expect(error).toEqual({ type: 'error', payload: { status: 'error', code, message: expect.any(String) } });
    await client.waitForCount(isUpdateOf('bars:AAPL:1'), 2, { from: client.messages.indexOf(error) });
  });

  it('rejects binary frames with INVALID_MESSAGE', async () => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    const from = client.messages.length;
    client.socket.send(Buffer.from(JSON.stringify(subscribeAapl)), { binary: true });
    const error = await client.waitFor(isType('error'), { from });
    expect(error.payload).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('answers an application ping with a pong', async () => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    expect(await request(client, { type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('releases every subscription of a closed connection, so idle topics stop', async () => {
    const { wsUrl, httpUrl } = await apps.start();
    const leaving = await connect(wsUrl);
    const staying = await connect(wsUrl);
    await request(leaving, subscribeAapl, 'bars.subscribe.response');
    await request(leaving, { type: 'bars.subscribe', payload: { symbol: 'GOOGL' } }, 'bars.subscribe.response');
    await request(staying, { type: 'bars.subscribe', payload: { symbol: 'GOOGL' } }, 'bars.subscribe.response');
    expect(await metricsOf(httpUrl)).toMatchObject({ clients: 2, subscriptions: 3, active_topics: 2 });

    await leaving.close();
    await vi.waitFor(async () => {
      expect(await metricsOf(httpUrl)).toMatchObject({ clients: 1, subscriptions: 1, active_topics: 1, topics: ['bars:GOOGL:1'] });
    });
    await staying.waitForCount(isUpdateOf('bars:GOOGL:1'), 2, { from: staying.messages.length });
  });

  it('answers BROADCASTER_DISABLED when the broadcaster is disabled', async () => {
    const { wsUrl, httpUrl } = await apps.start({ config: { broadcaster: { enabled: false } } });
    const client = await connect(wsUrl);
    const response = await request(client, subscribeAapl, 'bars.subscribe.response');
    expect(response.payload).toMatchObject({ status: 'error', code: 'BROADCASTER_DISABLED' });
    expect(await metricsOf(httpUrl)).toMatchObject({ is_running: false, active_topics: 0, broadcasts_sent: 0 });
  });

  it('counts a failing generator in metrics while its topic and the others keep streaming', async () => {
    let ticks = 0;
    const { wsUrl, httpUrl } = await apps.start({ generate: (previous, _now, context) => {
          if (context.symbol === 'AAPL' && ++ticks % 2 === 0) throw new Error('generator fault');
          return previous ?? { time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 };
        }, });
    const client = await connect(wsUrl);
    await request(client, subscribeAapl, 'bars.subscribe.response');
    await request(client, { type: 'bars.subscribe', payload: { symbol: 'MSFT' } }, 'bars.subscribe.response');
    await client.waitForCount(isUpdateOf('bars:AAPL:1'), 3);
    await client.waitForCount(isUpdateOf('bars:MSFT:1'), 3);
    const metrics = await metricsOf(httpUrl);
    expect(metrics.errors).toBeGreaterThanOrEqual(2);
    expect(metrics.active_topics).toBe(2);
  });

  it('closes every client with 1001 on stop()', async () => {
    const running = await apps.start();
    const [a, b] = [await connect(running.wsUrl), await connect(running.wsUrl)];
    await request(a, subscribeAapl, 'bars.subscribe.response');
    await running.app.stop();
    expect(await a.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect((await b.closed).code).toBe(1001);
    expect(running.app.metrics()).toMatchObject({ is_running: false, active_topics: 0, clients: 0 });
  });
});
