import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  afterEach(() => apps.stopAll());

  /** Resolves after the socket has received `count` protocol pings; rejects after `timeoutMs`. */
  function pingsReceived(socket: WebSocket, count: number, timeoutMs = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const timer = setTimeout(() => reject(new Error(`only ${seen} of ${count} pings within ${timeoutMs} ms`)), timeoutMs);
      socket.on('ping', () => {
        seen += 1;
        if (seen === count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  describe('dead peers', () => {
    it('terminates a peer that stops answering protocol pings and releases its subscriptions', async () => {
      const { app, wsUrl } = await apps.start({ config: { heartbeat: { intervalMs: 50 } } });
      const healthy = await TestClient.connect(wsUrl);
      const healthyPings = pingsReceived(healthy.socket, 4);
      const silent = await TestClient.connect(wsUrl, { autoPong: false });
      silent.subscribeBars('AAPL');
      await silent.waitFor(isUpdateOf('bars:AAPL:1'));
      expect(app.metrics().subscriptions).toBe(1);

      const closed = await silent.closed;
      expect(closed.code).toBe(1006);
      await healthyPings;
      expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
      expect(app.metrics()).toMatchObject({ dead_peers_terminated: 1, subscriptions: 0, clients: 1, active_topics: 0 });
      await healthy.close();
    });

    it('sends no protocol pings when the heartbeat is off', async () => {
      const { app, wsUrl } = await apps.start({ config: { heartbeat: { intervalMs: 0 } } });
      const silent = await TestClient.connect(wsUrl, { autoPong: false });
      let pings = 0;
      silent.socket.on('ping', () => (pings += 1));
      silent.subscribeBars('AAPL');
      await silent.waitForCount(isUpdateOf('bars:AAPL:1'), 3);
      expect(pings).toBe(0);
      expect(app.metrics().dead_peers_terminated).toBe(0);
      await silent.close();
    });

    it('answers an application-level ping with a pong, for clients that measure round trips', async () => {
      const { wsUrl } = await apps.start();
      const client = await TestClient.connect(wsUrl);
      client.send({ type: 'ping' });
      expect(await client.waitFor(isType('pong'))).toEqual({ type: 'pong' });
      await client.close();
    });
  });
});
