import { afterEach, describe, expect, it } from 'vitest';
import { appTracker } from '../support/test-app.js';
import { isType, TestClient } from '../support/ws-client.js';

const apps = appTracker();
afterEach(() => apps.stopAll());

describe('WebSocket protocol edge cases', () => {
  it('answers malformed frames with typed errors and keeps the socket open', async () => {
    const { wsUrl } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    client.send('{oops');
    client.send('[1]');
    client.send({ payload: {} });
    client.send({ type: 'Bad Type' });
    client.send({ type: 'trades.subscribe', payload: {} });
    const errors = await client.waitForCount(isType('error'), 6);
    expect(errors.map((message) => message.payload?.['code'])).toEqual(['INVALID_MESSAGE', 'INVALID_JSON', 'INVALID_MESSAGE', 'INVALID_MESSAGE', 'UNKNOWN_TYPE', 'UNKNOWN_TYPE']);
    client.send({ type: 'ping' });
    await client.waitFor(isType('pong'));
    await client.close();
  });

  it('confirms repeated subscribes and unsubscribes without double counting', async () => {
    const { wsUrl, app } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.subscribe('AAPL');
    client.subscribe('AAPL');
    client.send({ type: 'bars.subscribe', payload: { symbol: 'AAPL', params: { resolution: '7' } } });
    const responses = await client.waitForCount(isType('bars.subscribe.response'), 3);
    expect(responses.map((message) => message.payload?.['message'])).toEqual(['Subscribed to bars:AAPL:1', 'Already subscribed to bars:AAPL:1', expect.stringContaining('resolution')]);
    expect(app.metrics().subscriptions).toBe(1);
    client.unsubscribe('AAPL');
    client.unsubscribe('AAPL');
    const left = await client.waitForCount(isType('bars.unsubscribe.response'), 2);
    expect(left.map((message) => message.payload?.['message'])).toEqual(['Unsubscribed from bars:AAPL:1', 'Was not subscribed to bars:AAPL:1']);
    await client.close();
  });

  it('refuses upgrades on other paths, and closes clients with 1001 on shutdown', async () => {
    const { wsUrl, httpUrl, app } = await apps.start();
    await expect(TestClient.connect(`${httpUrl.replace('http', 'ws')}/elsewhere`)).rejects.toThrow(/404/);
    const client = await TestClient.connect(wsUrl);
    client.subscribe('AAPL');
    await client.waitFor(isType('bars.update'));
    await app.stop();
    expect(await client.closed).toMatchObject({ code: 1001 });
    expect(app.metrics().is_running).toBe(false);
  });
});

describe('HTTP basics', () => {
  it('reports health, readiness and metrics', async () => {
    const { httpUrl } = await apps.start();
    expect(await (await fetch(`${httpUrl}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${httpUrl}/ready`)).json()).toEqual({ status: 'ready' });
    const metrics = (await (await fetch(`${httpUrl}/api/v1/broadcaster/metrics`)).json()) as Record<string, unknown>;
    expect(metrics).toMatchObject({ is_running: true, symbols: ['AAPL', 'GOOGL', 'MSFT'], clients: 0 });
  });
});
