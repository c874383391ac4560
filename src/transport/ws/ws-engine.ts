import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ERRORS, httpStatusOf } from '../../domain/errors.js';
import type { ClientAddresses } from '../http/client-address.js';
import { upgradeCompleted } from '../http/connection-deadlines.js';
import { checkAccess, selectSubprotocol } from '../auth/access-check.js';
import type { Credential } from '../auth/credential.js';
import { WS_PATH, type Gateway, type UpgradeRefusal, type WebSocketEngine } from './gateway.js';
import { WsPeerSocket } from './ws-peer-socket.js';

export interface WsEngineOptions {
  /** The HTTP server whose upgrades this engine takes (its port is the WebSocket's). */
  readonly server: Server;
  readonly maxPayloadBytes: number;
  /** Who each upgrade's client is (the same resolver as HTTP's: TRUSTED_PROXIES, PROXY header, X-Forwarded-For). */
  readonly addresses: ClientAddresses;
  /** Offer permessage-deflate (off by default: it also rules out framing once for all sockets). */
  readonly perMessageDeflate?: boolean;
}

/** How long a peer gets to answer our close frame before its socket is destroyed. */
const CLOSE_HANDSHAKE_TIMEOUT_MS = 2_000;

/**
 * The default engine: ws, on the HTTP server's own port. Accepts upgrades on WS_PATH, checks
 * access while the upgrade waits (counted as pending against maxConnections), and hands each
 * opened socket (a WsPeerSocket, ws's class extended) to the gateway.
 */
export class WsEngine implements WebSocketEngine {
  private readonly wss: WebSocketServer;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A request line Node accepted but URL cannot parse must not become an unhandled rejection.
    this.upgrade(request, socket, head).catch(() => rejectUpgrade(socket, 400, 'Bad Request'));
  };

  constructor(
    readonly gateway: Gateway,
    private readonly options: WsEngineOptions,
  ) {
    // permessage-deflate is off: bar frames are small, and compressing each one per socket
    // costs more CPU than the bytes it saves.
    // closeTimeout is a ws 8 server option that @types/ws does not declare yet, hence the variable.
    // clientTracking is off because the gateway already tracks every connection: ws's own Set
    // would add an entry, a closure and a second 'close' listener per connection.
    const serverOptions = {
      noServer: true,
      clientTracking: false,
      WebSocket: WsPeerSocket,
      maxPayload: options.maxPayloadBytes,
      perMessageDeflate: options.perMessageDeflate ?? false,
      closeTimeout: CLOSE_HANDSHAKE_TIMEOUT_MS,
      // barcast.v1 when offered; a barcast.bearer.<token> protocol is never echoed back.
      handleProtocols: selectSubprotocol,
    };
    this.wss = new WebSocketServer(serverOptions);
    options.server.on('upgrade', this.onUpgrade);
  }

  listen(): Promise<AddressInfo> {
    return Promise.resolve(this.options.server.address() as AddressInfo);
  }

  async close(timeoutMs: number): Promise<void> {
    // Clients dropped by the shutdown come straight back: each is answered 503 at once. Left
    // unanswered, an upgrade would sit until its upgrade deadline and hold the stop that long.
    this.options.server.off('upgrade', this.onUpgrade);
    this.options.server.on('upgrade', refuseWhileClosing);
    await this.gateway.close(timeoutMs);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== WS_PATH) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    const address = this.options.addresses.ofRequest(request);
    if (!this.gateway.hasRoom()) {
      refuseUpgrade(socket, this.gateway.refuse('SERVER_FULL', undefined, address));
      return;
    }
    // Node removes its own error listener from an upgraded socket: one is needed while the token is verified.
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    const place = this.gateway.reserve();
    let verdict;
    try {
      verdict = await checkAccess(request, this.gateway.access, { requireOrigin: true });
    } finally {
      place.release();
      socket.off('error', onError);
    }
    if (socket.destroyed) return;
    if (!verdict.ok) {
      refuseUpgrade(socket, this.gateway.refuse(verdict.code, verdict.refusal, address));
      return;
    }
    const credential: Credential = verdict.credential;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      upgradeCompleted(socket);
      this.gateway.accept(ws as WsPeerSocket, credential, address);
    });
  }
}

function refuseWhileClosing(_request: IncomingMessage, socket: Duplex): void {
  rejectUpgrade(socket, httpStatusOf('SHUTTING_DOWN'), ERRORS.SHUTTING_DOWN.message);
}

function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal): void {
  rejectUpgrade(socket, refusal.status, refusal.message);
}

export function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ status: 'error', message: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
