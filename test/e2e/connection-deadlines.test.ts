import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deadlineServerOptions, guardConnections, type ConnectionDeadlines } from '../../src/transport/http/connection-deadlines.js';
import { isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';
import { rawClient as rawClientOn } from '../support/raw-client.js';

const apps = testApps();
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await apps.stopAll();
});

const rawClient = (port: number) => rawClientOn(port, sockets);

const HTTP = { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300, upgradeTimeoutMs: 300 };

describe('connection deadlines', () => {
  it('drops a connection that never sends a byte once the header deadline passes', async () => {
    const { address } = await apps.start({ config: { http: HTTP } });
    const idle = await rawClient(address.port);
    const openFor = await idle.closed;
    expect(openFor).toBeGreaterThanOrEqual(HTTP.headersTimeoutMs - 50);
    expect(openFor).toBeLessThan(HTTP.headersTimeoutMs + 1_000);
  });

  it('answers 408 and drops a client that trickles its headers, while it is still sending', async () => {
    const { address } = await apps.start({ config: { http: HTTP } });
    const slow = await rawClient(address.port);
    slow.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => slow.socket.write('X-Slow: 1\r\n'), 50);
    try {
      const openFor = await slow.closed;
      expect(openFor).toBeLessThan(HTTP.headersTimeoutMs + 1_000);
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(trickle);
    }
  });

  it('closes an idle keep-alive connection after its timeout, not before serving it', async () => {
    const { address } = await apps.start({ config: { http: HTTP } });
    const client = await rawClient(address.port);
    client.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const openFor = await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(openFor).toBeGreaterThanOrEqual(HTTP.keepAliveTimeoutMs);
    // Node keeps an idle keep-alive socket 1 s past keepAliveTimeout (its grace for racing clients).
    expect(openFor).toBeLessThan(HTTP.keepAliveTimeoutMs + 1_000 + 500);
  });

  it('refuses connections past the per-IP limit of unfinished requests at once when no queue is allowed, and counts finished ones out', async () => {
    const { address, httpUrl } = await apps.start({ config: { http: HTTP, limits: { maxHandshakesPerIp: 2 }, proxy: { handshakeQueuePerIp: 0 } } });
    const first = await rawClient(address.port);
    await rawClient(address.port);
    const third = await rawClient(address.port);
    expect(await third.closed).toBeLessThan(HTTP.headersTimeoutMs - 100);
    // Retry-After: the queue's deadline in seconds (5 by default), though this one was not queued.
    expect(third.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\nRetry-After: 5\r\n/);
    // A connection that completes its request no longer counts: a fresh one gets served.
    first.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(first.received).toMatch(/^HTTP\/1\.1 200/);
    const served = await fetch(`${httpUrl}/health`);
    expect(served.status).toBe(200);
  });

  it('holds a connection past the per-IP limit until a place frees, then serves it', async () => {
    const { address } = await apps.start({ config: { http: HTTP, limits: { maxHandshakesPerIp: 1 }, proxy: { handshakeQueuePerIp: 5, handshakeQueueTimeoutMs: 5_000 } } });
    const first = await rawClient(address.port);
    const second = await rawClient(address.port);
    // The second has sent its request, but it waits unread behind the first.
    second.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(second.received()).toBe('');
    first.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(first.received).toMatch(/^HTTP\/1\.1 200/);
    await expect.poll(second.received).toMatch(/^HTTP\/1\.1 200/);
  });

  it('answers a connection that waited in the queue past its deadline with 503 and Retry-After, then closes it', async () => {
    const queue = { handshakeQueuePerIp: 5, handshakeQueueTimeoutMs: 200 };
    const { address } = await apps.start({ config: { http: HTTP, limits: { maxHandshakesPerIp: 1 }, proxy: queue } });
    await rawClient(address.port);
    const waiting = await rawClient(address.port);
    const openFor = await waiting.closed;
    expect(openFor).toBeGreaterThanOrEqual(queue.handshakeQueueTimeoutMs - 50);
    expect(openFor).toBeLessThan(HTTP.headersTimeoutMs);
    expect(waiting.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\nRetry-After: 1\r\n/);
    expect(waiting.received()).toContain('"code":"TOO_MANY_HANDSHAKES"');
  });

  it('stops at once with connections waiting in the queue: they are closed, not waited for', async () => {
    const { app, address } = await apps.start({ config: { http: HTTP, limits: { maxHandshakesPerIp: 1 }, proxy: { handshakeQueuePerIp: 5, handshakeQueueTimeoutMs: 10_000 } } });
    await rawClient(address.port);
    const waiting = await rawClient(address.port);
    const startedAt = Date.now();
    await app.stop();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(await waiting.closed).toBeLessThan(2_000);
  });

  it('keeps an upgraded WebSocket open past the upgrade deadline', async () => {
    const { wsUrl } = await apps.start({ config: { http: HTTP, broadcaster: { interval: 0.05 } } });
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL');
    await client.waitFor(isUpdateOf('bars:AAPL:1'));
    await new Promise((resolve) => setTimeout(resolve, HTTP.upgradeTimeoutMs * 3));
    const from = client.messages.length;
    await client.waitFor(isUpdateOf('bars:AAPL:1'), { from });
    await client.close();
  });

  it('cuts an upgrade that never becomes a WebSocket within the upgrade deadline', async () => {
    const deadlines: ConnectionDeadlines = { ...HTTP, maxSockets: 10, maxHandshakesPerIp: 10, handshakeQueuePerIp: 0, handshakeQueueTimeoutMs: 1_000 };
    const server = createServer(deadlineServerOptions(deadlines));
    guardConnections(server, deadlines);
    server.on('upgrade', () => undefined); // an access check that never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const client = await rawClient(port);
      client.socket.write('GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      const openFor = await client.closed;
      expect(openFor).toBeGreaterThanOrEqual(HTTP.upgradeTimeoutMs - 50);
      expect(openFor).toBeLessThan(HTTP.upgradeTimeoutMs + 1_000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('caps every TCP connection, upgraded or not, at maxConnections + maxHttpConnections', async () => {
    const { address } = await apps.start({ config: { http: HTTP, limits: { maxConnections: 1, maxHttpConnections: 1 } } });
    await rawClient(address.port);
    await rawClient(address.port);
    const third = await rawClient(address.port);
    expect(await third.closed).toBeLessThan(HTTP.headersTimeoutMs - 100);
  });
});
