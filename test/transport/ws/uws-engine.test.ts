import type { Socket } from 'node:net';
import { asyncScheduler, NEVER } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { Hub } from '../../../src/streams/hub.js';
import type { TokenAuthority, TokenCheck } from '../../../src/transport/auth/credential.js';
import { TrustedProxies } from '../../../src/transport/http/client-address.js';
import { Gateway } from '../../../src/transport/ws/gateway.js';
import { UwsEngine } from '../../../src/transport/ws/uws-engine.js';
import { rawClient } from '../../support/raw-client.js';

const UPGRADE_TIMEOUT_MS = 200;
const engines: UwsEngine[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(engines.splice(0).map((engine) => engine.close(100)));
});

/** A uWS engine whose access check answers only when `release` is called (an authority that hangs). */
async function engineWithHangingCheck(): Promise<{ port: number; release: () => void }> {
  let release = (): void => undefined;
  const pending = new Promise<TokenCheck>((resolve) => {
    release = () => resolve({ ok: true, credential: { kind: 'anonymous' } });
  });
  const authority: TokenAuthority = { required: false, verify: () => pending, stillValid: () => true };
  const gateway = new Gateway({
    hub: new Hub({ scheduler: asyncScheduler, shutdown$: NEVER, emit: () => undefined, enabled: true }),
    emit: () => undefined,
    logger: createLogger('silent'),
    now: () => Date.now(),
    scheduler: asyncScheduler,
    access: { allowedOrigins: [], authority },
    expiry: { warningMs: 0, skewMs: 0 },
    limits: {
      maxConnections: 10, maxPayloadBytes: 1024, maxSubscriptions: 10, messagesPerSecond: 10, messageBurst: 10, rateLimitCloseAfter: 10,
      bufferSoftBytes: 1024, bufferHardBytes: 4096, slowConsumerTimeoutMs: 1_000, drainCheckMs: 50, unreadSoftBytes: 0,
    },
    heartbeat: { intervalMs: 0 },
  });
  const engine = new UwsEngine(gateway, { port: 0, maxPayloadBytes: 1024, upgradeTimeoutMs: UPGRADE_TIMEOUT_MS, trusted: new TrustedProxies([]), proxyProtocol: false });
  engines.push(engine);
  const { port } = await engine.listen('127.0.0.1');
  return { port, release };
}

/** Sends a WebSocket upgrade request by hand; resolves with how long the connection stayed open and what came back. */
async function upgrade(port: number): Promise<{ openForMs: number; received: string }> {
  const client = await rawClient(port, sockets);
  client.socket.write(
    'GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  const openForMs = await client.closed;
  return { openForMs, received: client.received() };
}

describe('the uWS engine’s upgrade', () => {
  it('cuts an upgrade whose access check has not answered within the upgrade deadline, and answers nothing after', async () => {
    const { port, release } = await engineWithHangingCheck();
    const { openForMs, received } = await upgrade(port);
    release();
    expect(received).toBe('');
    expect(openForMs).toBeGreaterThanOrEqual(UPGRADE_TIMEOUT_MS - 50);
    expect(openForMs).toBeLessThan(UPGRADE_TIMEOUT_MS + 1_000);
  });

  it('refuses with 503 an upgrade whose check answers after the engine began to close', async () => {
    const { port, release } = await engineWithHangingCheck();
    const answered = upgrade(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = engines[0]!.close(100);
    release();
    const { received } = await answered;
    await closing;
    expect(received).toMatch(/^HTTP\/1\.1 503 server shutting down\r\n/);
    expect(received).toContain('{"status":"error","message":"server shutting down"}');
  });
});
