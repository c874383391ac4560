import { afterEach, describe, expect, it } from 'vitest';
import { isUpdateOf, startTestApp, testApps, TestClient } from '../../src/testing/index.js';
import { closeTopicKind } from '../fixtures/close-topic.js';

const apps = testApps();
afterEach(() => apps.stopAll());

/** Handles of this process by type, e.g. { TCPServerWrap: 1, TCPSocketWrap: 2, Timeout: 3 }. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

describe('startTestApp: the real app on port 0 with your kinds, and a client that awaits typed messages', () => {
  it('serves your kind over WebSocket; nextUpdate walks a topic’s updates in order', async () => {
    const app = await apps.start({ topicKinds: [closeTopicKind], config: { broadcaster: { interval: 0.02 } } });
    expect(app.address.port).toBeGreaterThan(0);
    const client = await app.connect();
    client.subscribe('close', { symbol: 'AAPL' });
    client.subscribeBars('AAPL');
    const first = await client.nextUpdate<{ close: number }>('close:AAPL');
    const second = await client.nextUpdate<{ close: number }>('close:AAPL');
    await client.nextUpdate('bars:AAPL:1');
    const third = await client.nextUpdate<{ close: number }>('close:AAPL');
    expect(first.type).toBe('close.update');
    expect(typeof first.payload.close).toBe('number');
    expect(second.ts).toBeGreaterThan(first.ts);
    // none skipped, none repeated, whatever else arrived in between
    expect([first, second, third]).toEqual(client.messages.filter(isUpdateOf('close:AAPL')).slice(0, 3));
    expect(new Set([first, second, third]).size).toBe(3);
  });

  it('awaits the response to a request by its id, ok or refused, whatever arrived first', async () => {
    const app = await apps.start({ topicKinds: [closeTopicKind] });
    const client = await app.connect();
    const refused = client.subscribe('close', { symbol: 42 });
    const accepted = client.subscribeBars('MSFT');
    const unknown = client.request('nope.subscribe', {});
    expect(new Set([refused, accepted, unknown]).size).toBe(3);
    expect(await client.response(accepted)).toMatchObject({ type: 'bars.subscribe.response', id: accepted, payload: { status: 'ok', topic: 'bars:MSFT:1' } });
    expect(await client.response(refused)).toMatchObject({ type: 'close.subscribe.response', id: refused, payload: { status: 'error', code: 'INVALID_PAYLOAD' } });
    expect(await client.response(unknown)).toMatchObject({ type: 'error', id: unknown, payload: { code: 'UNKNOWN_TYPE' } });
    const update = await client.nextUpdate('bars:MSFT:1');
    expect(update).toMatchObject({ type: 'bars.update', seq: expect.any(Number), epoch: expect.any(String), final: expect.any(Boolean) });
  });

  it('fails a wait that never comes with what it got instead of hanging', async () => {
    const app = await apps.start();
    const client = await app.connect();
    await expect(client.nextUpdate('bars:NOPE:1', { timeoutMs: 200 })).rejects.toThrow(/timed out after 200 ms/);
  });

  it('refuses an upgrade the server refuses, with its status', async () => {
    const app = await apps.start({ config: { auth: { tokens: ['s3cret'] } } });
    await expect(TestClient.connect(app.wsUrl)).rejects.toThrow('upgrade refused: HTTP 401');
  });

  it('stops without leaking a handle: server, sockets and timers are all released', async () => {
    const before = activeResources();
    const app = await startTestApp({ topicKinds: [closeTopicKind], config: { broadcaster: { interval: 0.02 } } });
    const clients = await Promise.all([app.connect(), app.connect()]);
    for (const client of clients) client.subscribe('close', { symbol: 'MSFT' });
    await Promise.all(clients.map((client) => client.nextUpdate('close:MSFT')));
    expect(activeResources()).not.toEqual(before);
    await app.stop();
    expect(await clients[0]?.closed).toMatchObject({ code: 1001 });
    const after = activeResources();
    expect({ servers: after['TCPServerWrap'], sockets: after['TCPSocketWrap'] }).toEqual({ servers: before['TCPServerWrap'], sockets: before['TCPSocketWrap'] });
    expect(after['Timeout'] ?? 0).toBeLessThanOrEqual(before['Timeout'] ?? 0);
    await app.stop(); // twice is fine
  });

  it('gives the uWS engine’s own port as wsUrl, and stops without leaking a handle there either', async () => {
    const before = activeResources();
    const app = await startTestApp({ config: { transport: { engine: 'uws' } } });
    const wsPort = Number(new URL(app.wsUrl).port);
    expect(wsPort).toBeGreaterThan(0);
    expect(wsPort).not.toBe(app.address.port);
    expect(app.app.wsAddress()?.port).toBe(wsPort);
    // The chart page asks where its socket is; an upgrade on the HTTP port is refused, not left hanging.
    expect(await (await fetch(`${app.httpUrl}/api/v1/ws/endpoint`)).json()).toEqual({ port: wsPort });
    await expect(TestClient.connect(`ws://127.0.0.1:${app.address.port}/api/v1/ws`)).rejects.toThrow('HTTP 404');
    const client = await app.connect();
    client.subscribeBars('AAPL');
    await client.nextUpdate('bars:AAPL:1');
    await app.stop();
    expect(await client.closed).toMatchObject({ code: 1001 });
    const after = activeResources();
    expect({ servers: after['TCPServerWrap'], sockets: after['TCPSocketWrap'] }).toEqual({ servers: before['TCPServerWrap'], sockets: before['TCPSocketWrap'] });
    expect(after['Timeout'] ?? 0).toBeLessThanOrEqual(before['Timeout'] ?? 0);
  });
});
