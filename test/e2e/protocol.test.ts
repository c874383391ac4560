import { afterEach, describe, expect, it } from 'vitest';
import { appTracker } from '../support/test-app.js';
import { isType, isUpdateOf, TestClient } from '../support/ws-client.js';

const apps = appTracker();
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await apps.stopAll();
});

async function connect(wsUrl: string): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  clients.push(client);
  return client;
}

describe('the WebSocket protocol over a real socket', () => {
  it('answers every malformed frame with a typed error and keeps the connection', async () => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    const frames: [unknown, string][] = [
      ['{not json', 'INVALID_JSON'],
      ['[1,2]', 'INVALID_MESSAGE'],
      [{ type: 7 }, 'INVALID_MESSAGE'],
      [{ type: 'bars.explode' }, 'UNKNOWN_TYPE'],
      [{ type: 'quotes.subscribe', payload: {} }, 'UNKNOWN_TYPE'],
    ];
    for (const [frame] of frames) client.send(frame);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    const errors = await client.waitForCount(isType('error'), frames.length + 1);
    expect(errors.map((error) => error.payload?.['code'])).toEqual([...frames.map(([, code]) => code), 'INVALID_MESSAGE']);
    client.send({ type: 'ping' });
    await client.waitFor(isType('pong'));
  });

  it.each([
    ['a payload that is not an object', 'oops', 'INVALID_PAYLOAD'],
    ['a symbol that is not a string', { symbol: 1 }, 'INVALID_PAYLOAD'],
    ['a malformed symbol', { symbol: 'aapl!' }, 'INVALID_SYMBOL'],
    ['params that are not an object', { symbol: 'AAPL', params: 3 }, 'INVALID_PAYLOAD'],
    ['an unknown resolution', { symbol: 'AAPL', params: { resolution: '7' } }, 'INVALID_RESOLUTION'],
    ['a symbol not served', { symbol: 'TSLA' }, 'UNKNOWN_SYMBOL'],
    ['a resolution not served', { symbol: 'AAPL', resolution: 5 }, 'UNSUPPORTED_RESOLUTION'],
  ])('refuses a subscribe with %s', async (_what, payload, code) => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    client.send({ type: 'bars.subscribe', payload });
    const response = await client.waitFor(isType('bars.subscribe.response'));
    expect(response.payload).toMatchObject({ status: 'error', code });
  });

  it('tells a client it is already subscribed, or was not, and stops its updates on unsubscribe', async () => {
    const { wsUrl } = await apps.start();
    const client = await connect(wsUrl);
    client.unsubscribe('AAPL');
    expect((await client.waitFor(isType('bars.unsubscribe.response'))).payload?.['message']).toBe('Was not subscribed to bars:AAPL:1');
    client.subscribe('AAPL');
    client.subscribe('AAPL');
    const responses = await client.waitForCount(isType('bars.subscribe.response'), 2);
    expect(responses.map((response) => response.payload?.['message'])).toEqual(['Subscribed to bars:AAPL:1', 'Already subscribed to bars:AAPL:1']);
    await client.waitFor(isUpdateOf('bars:AAPL:1'));
    client.unsubscribe('AAPL');
    const from = client.messages.length;
    expect((await client.waitFor(isType('bars.unsubscribe.response'), { from })).payload?.['message']).toBe('Unsubscribed from bars:AAPL:1');
  });

  it('refuses subscribes with BROADCASTER_DISABLED when the broadcaster is off', async () => {
    const { wsUrl } = await apps.start({ broadcaster: { enabled: false } });
    const client = await connect(wsUrl);
    client.subscribe('AAPL');
    expect((await client.waitFor(isType('bars.subscribe.response'))).payload).toMatchObject({ code: 'BROADCASTER_DISABLED' });
  });
});

describe('the HTTP API', () => {
  it('serves health, readiness and metrics, answers unknown routes with JSON 404, and refuses upgrades elsewhere', async () => {
    const { httpUrl, wsUrl } = await apps.start();
    expect(await (await fetch(`${httpUrl}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${httpUrl}/ready`)).status).toBe(200);
    const metrics = (await (await fetch(`${httpUrl}/api/v1/broadcaster/metrics`)).json()) as Record<string, unknown>;
    expect(metrics).toMatchObject({ is_running: true, clients: 0, subscriptions: 0 });
    const missing = await fetch(`${httpUrl}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    await expect(TestClient.connect(wsUrl.replace('/api/v1/ws', '/elsewhere'))).rejects.toThrow(/HTTP 404/);
  });
});
