import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';
import { testApps, TestClient, type TestApp } from '../../src/testing/index.js';
import { nextEvent } from '../support/app-events.js';
import { startHaproxy, type Haproxy, type HaproxyMode } from '../support/haproxy.js';

// HAProxy connects to barcast from 127.0.0.1; clients come from other loopback addresses, so
// the address barcast resolves says which hop it believed.
const CLIENT = '127.0.0.2';
const UNTRUSTED = '127.0.0.3';
const PROXY_CONFIG = { proxy: { trustedProxies: ['127.0.0.1'], protocol: true } };

/** The address the app saw the next WebSocket client join from, after `open` connects it. */
async function joinedFrom(started: TestApp, open: () => Promise<TestClient>): Promise<string | undefined> {
  const joined = nextEvent(started.app.events$, 'client_joined');
  const client = await open();
  try {
    return (await joined).address;
  } finally {
    await client.close();
  }
}

/** A PROXY v2 header naming `source` (IPv4, TCP) as the client. */
function proxyV2(source: readonly number[]): Buffer {
  const signature = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
  return Buffer.concat([signature, Buffer.from([0x21, 0x11, 0, 12, ...source, 127, 0, 0, 1, 0x30, 0x39, 0x1f, 0x40])]);
}

const UPGRADE = 'GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** Writes `bytes` from `localAddress` and resolves with what came back before the server closed (or 1 s passed). */
function rawExchange(port: number, localAddress: string, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1', localAddress });
    let received = '';
    const timer = setTimeout(() => socket.destroy(), 1_000);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

describe.each(TRANSPORT_ENGINES)('client addresses behind trusted proxies on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  let started: TestApp;
  let haproxy: Haproxy;
  const through = (mode: HaproxyMode) => `ws://127.0.0.1:${haproxy.ports[mode]}/api/v1/ws`;

  beforeAll(async () => {
    started = await apps.start({ config: PROXY_CONFIG });
    haproxy = await startHaproxy(Number(new URL(started.wsUrl).port));
  });
  afterAll(async () => {
    await haproxy.stop();
    await apps.stopAll();
  });

  it('takes the client address from a real HAProxy speaking PROXY protocol v2 (send-proxy-v2)', async () => {
    expect(await joinedFrom(started, () => TestClient.connect(through('proxy-v2'), { localAddress: CLIENT }))).toBe(CLIENT);
  });

  if (engine === 'ws') {
    it('takes the client address from a real HAProxy speaking PROXY protocol v1 (send-proxy)', async () => {
      expect(await joinedFrom(started, () => TestClient.connect(through('proxy-v1'), { localAddress: CLIENT }))).toBe(CLIENT);
    });
  } else {
    // This uWS build parses PROXY v2 only (docs/operations.md): a v1 line is not HTTP to it.
    it('does not take PROXY protocol v1 (this uWebSockets.js build parses v2 only): the upgrade fails', async () => {
      await expect(TestClient.connect(through('proxy-v1'), { localAddress: CLIENT, handshakeTimeout: 2_000 })).rejects.toThrow();
    });
  }

  it('takes the client address from X-Forwarded-For added by a real HAProxy in HTTP mode', async () => {
    expect(await joinedFrom(started, () => TestClient.connect(through('forwardfor'), { localAddress: CLIENT }))).toBe(CLIENT);
  });

  it('ignores an X-Forwarded-For header forged by a peer it does not trust', async () => {
    const forged = { localAddress: UNTRUSTED, headers: { 'X-Forwarded-For': '6.6.6.6' } };
    expect(await joinedFrom(started, () => TestClient.connect(started.wsUrl, forged))).toBe(UNTRUSTED);
  });

  it('ignores a PROXY header forged by a peer it does not trust', async () => {
    const joins: (string | undefined)[] = [];
    const subscription = started.app.events$.subscribe((event) => {
      if (event.type === 'client_joined') joins.push(event.address);
    });
    try {
      const port = Number(new URL(started.wsUrl).port);
      const answer = await rawExchange(port, UNTRUSTED, Buffer.concat([proxyV2([6, 6, 6, 6]), Buffer.from(UPGRADE)]));
      if (engine === 'ws') {
        // Not read for a PROXY header from this peer, the bytes are not HTTP: refused.
        expect(answer).toMatch(/^HTTP\/1\.1 400/);
        expect(joins).toEqual([]);
      } else {
        // uWS strips a v2 header from anyone; barcast does not believe it from an untrusted peer.
        expect(answer).toMatch(/^HTTP\/1\.1 101/);
        expect(joins).toEqual([UNTRUSTED]);
      }
    } finally {
      subscription.unsubscribe();
    }
  });
});

/** GET `path` from `localAddress` with `headers`; resolves with the status. */
function get(port: number, path: string, localAddress: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, localAddress, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the HTTP rate limit behind trusted proxies', () => {
  const apps = testApps();
  afterEach(() => apps.stopAll());

  it('counts each forwarded client on its own through a trusted proxy, and a forged header not at all', async () => {
    const { address } = await apps.start({ config: { ...PROXY_CONFIG, history: { rateLimit: 2, rateWindowMs: 60_000 } } });
    const bars = '/api/v1/bars?symbol=AAPL&resolution=1&from=1600000000&to=1600000600';
    const statuses = async (localAddress: string, forwardedFor: string, count: number) => {
      const seen: number[] = [];
      for (let index = 0; index < count; index += 1) seen.push(await get(address.port, bars, localAddress, { 'X-Forwarded-For': forwardedFor }));
      return seen;
    };
    // From the trusted proxy (127.0.0.1): the forwarded address is the client.
    expect(await statuses('127.0.0.1', '1.1.1.1', 3)).toEqual([200, 200, 429]);
    expect(await statuses('127.0.0.1', '2.2.2.2', 1)).toEqual([200]);
    // From an untrusted peer: its header is ignored, so changing it buys no new budget.
    expect(await statuses(UNTRUSTED, '3.3.3.3', 2)).toEqual([200, 200]);
    expect(await statuses(UNTRUSTED, '4.4.4.4', 1)).toEqual([429]);
  });
});
