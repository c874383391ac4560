import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse, us_listen_socket, us_socket, us_socket_context_t, WebSocket as UwsWebSocket } from '@trufflesuite/uws-js-unofficial';
import { closeCodeOf, ERRORS } from '../../domain/errors.js';
import { checkAccess, offeredSubprotocols, selectSubprotocol, type UpgradeRequest } from '../auth/access-check.js';
import type { Credential } from '../auth/credential.js';
import type { TrustedProxies } from '../http/client-address.js';
import { WS_PATH, type Gateway, type UpgradeRefusal, type WebSocketEngine } from './gateway.js';
import { loadUws, type UwsModule } from './uws-module.js';
import { UwsPeerSocket } from './uws-peer-socket.js';

export interface UwsEngineOptions {
  /** The WebSocket's own port (`transport.uwsPort`; 0 picks a free one). */
  readonly port: number;
  readonly maxPayloadBytes: number;
  /** `http.upgradeTimeoutMs`: an upgrade whose access check has not settled by then is cut, as on the ws engine. */
  readonly upgradeTimeoutMs: number;
  /** The same resolver of client addresses as the ws engine's and HTTP's (TRUSTED_PROXIES). */
  readonly trusted: TrustedProxies;
  /**
   * `proxy.protocol`: believe the PROXY v2 header uWS itself parsed (this build parses v2
   * from any peer, and not v1), from a trusted peer only.
   */
  readonly proxyProtocol: boolean;
}

/** What uWS keeps on each socket for us (it copies the object's fields onto its socket). */
interface UwsUserData {
  readonly credential: Credential;
  readonly address: string;
  peer: UwsPeerSocket | undefined;
}

/**
 * uWS sends past `maxBackpressure` are dropped, which would break the final-bar guarantee:
 * so it is never reached. barcast's outbox governs instead, holding updates past
 * `limits.bufferSoftBytes` and closing a socket with 1013 past `limits.bufferHardBytes` (at
 * most 1 GiB, so under this ceiling even with the replies a lagging socket still gets).
 */
const MAX_BACKPRESSURE = 2 ** 31 - 1;

/** uSockets' LIBUS_LISTEN_EXCLUSIVE_PORT (the module exports it; its types declare only an ambient enum). */
const LISTEN_EXCLUSIVE_PORT = 1;

/**
 * uWS cuts a frame over its `maxPayloadLength` without a close frame (the peer sees 1006);
 * ws closes with 1009. So uWS's own limit sits above barcast's, and a message between the
 * two is closed with 1009 here, as ws does. Past the ceiling (4x the limit, at least 64 KiB)
 * uWS cuts it still: the ceiling bounds what one connection can make uWS buffer.
 */
export function uwsPayloadCeiling(maxPayloadBytes: number): number {
  return Math.max(4 * maxPayloadBytes, 64 * 1024);
}

/**
 * The uWebSockets.js engine (`transport.engine: uws`): the same endpoint, protocol, limits,
 * access check and gateway as the ws engine, served by uWS's C++ sockets on a port of its own
 * (`transport.uwsPort`), since uWS cannot adopt a socket Node's HTTP server accepted. HTTP
 * (REST, UDF, metrics, health) stays on the Node server. uWS's own automations are off where
 * barcast has its own: pings (`sendPingsAutomatically: false`, the gateway's heartbeat sweeps
 * instead), idle timeout (0), backpressure dropping (see MAX_BACKPRESSURE), compression.
 */
export class UwsEngine implements WebSocketEngine {
  private uws: UwsModule | undefined;
  private listenSocket: us_listen_socket | undefined;

  constructor(
    readonly gateway: Gateway,
    private readonly options: UwsEngineOptions,
  ) {}

  listen(host: string): Promise<AddressInfo> {
    // Loaded here, at start, not at import: a ws deployment never loads the native binary.
    const uws = loadUws();
    this.uws = uws;
    const { maxPayloadBytes } = this.options;
    const app = uws
      .App()
      .ws<UwsUserData>(WS_PATH, {
        compression: uws.DISABLED,
        maxPayloadLength: uwsPayloadCeiling(maxPayloadBytes),
        idleTimeout: 0,
        sendPingsAutomatically: false,
        maxBackpressure: MAX_BACKPRESSURE,
        closeOnBackpressureLimit: 0,
        upgrade: (res, req, context) => this.upgrade(res, req, context),
        open: (ws) => this.open(ws),
        message: (ws, message, isBinary) => {
          const peer = ws.getUserData().peer;
          if (message.byteLength > maxPayloadBytes) peer?.close(closeCodeOf('MESSAGE_TOO_BIG'), ERRORS.MESSAGE_TOO_BIG.message);
          else peer?.received(message, isBinary);
        },
        pong: (ws, payload) => ws.getUserData().peer?.ponged(payload),
        close: (ws) => ws.getUserData().peer?.gone(),
      })
      // Every other path and method: 404, as the ws engine answers an upgrade elsewhere.
      .any('/*', (res) => writeRefusal(res, { status: 404, message: 'Not Found' }));
    // Exclusive: by default uSockets binds with SO_REUSEPORT, so a second server on the same
    // port would share it silently instead of failing to start. @types lack this overload.
    const listen = app.listen.bind(app) as unknown as (host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void) => void;
    return new Promise((resolve, reject) => {
      listen(host, this.options.port, LISTEN_EXCLUSIVE_PORT, (listenSocket) => {
        if (!listenSocket) {
          reject(new Error(`uWebSockets.js cannot listen on ${host}:${this.options.port} (transport.uwsPort, UWS_PORT): is the port in use?`));
          return;
        }
        this.listenSocket = listenSocket;
        const port = uws.us_socket_local_port(listenSocket as unknown as us_socket);
        resolve({ address: host, family: host.includes(':') ? 'IPv6' : 'IPv4', port });
      });
    });
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.listenSocket !== undefined) this.uws?.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
    await this.gateway.close(timeoutMs);
  }

  /**
   * What the ws engine does on an upgrade, in uWS's terms: the request is read now (uWS's
   * HttpRequest is valid only until this returns), the access check runs asynchronously with
   * a place held against maxConnections, and its verdict is written inside `res.cork` unless
   * the client went away meanwhile (`onAborted`) or `upgradeTimeoutMs` passed (then it is cut).
   */
  private upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    const address = this.clientAddress(res, req);
    if (!this.gateway.hasRoom()) {
      writeRefusal(res, this.gateway.refuse('SERVER_FULL', undefined, address));
      return;
    }
    const request = upgradeRequest(req);
    const key = req.getHeader('sec-websocket-key');
    const extensions = req.getHeader('sec-websocket-extensions');
    const protocol = selectSubprotocol(new Set(offeredSubprotocols(request))) || '';
    const place = this.gateway.reserve();
    let settled = false;
    res.onAborted(() => {
      settled = true;
      clearTimeout(deadline);
      place.release();
    });
    const deadline = setTimeout(() => {
      if (settled) return;
      settled = true;
      place.release();
      res.close();
    }, this.options.upgradeTimeoutMs);
    const settle = (write: () => void): void => {
      clearTimeout(deadline);
      if (settled) return;
      settled = true;
      place.release();
      res.cork(write);
    };
    checkAccess(request, this.gateway.access, { requireOrigin: true }).then(
      (verdict) => {
        if (this.listenSocket === undefined) {
          settle(() => writeRefusal(res, { status: 503, message: ERRORS.SHUTTING_DOWN.message }));
        } else if (!verdict.ok) {
          settle(() => writeRefusal(res, this.gateway.refuse(verdict.code, verdict.refusal, address)));
        } else {
          const userData: UwsUserData = { credential: verdict.credential, address, peer: undefined };
          settle(() => res.upgrade(userData, key, protocol, extensions, context));
        }
      },
      () => settle(() => writeRefusal(res, { status: 400, message: 'Bad Request' })),
    );
  }

  private open(ws: UwsWebSocket<UwsUserData>): void {
    const data = ws.getUserData();
    const peer = new UwsPeerSocket(ws);
    data.peer = peer;
    this.gateway.accept(peer, data.credential, data.address);
  }

  /**
   * The client's address, read while uWS's request is valid: the TCP peer, the source of the
   * PROXY v2 header uWS parsed (counted only with proxy.protocol), and X-Forwarded-For, through
   * the one resolver every door uses.
   */
  private clientAddress(res: HttpResponse, req: HttpRequest): string {
    const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
    const proxied = this.options.proxyProtocol ? Buffer.from(res.getProxiedRemoteAddressAsText()).toString() : '';
    const forwardedFor = req.getHeader('x-forwarded-for');
    return this.options.trusted.clientAddress({ peer, proxied: proxied || undefined, forwardedFor: forwardedFor || undefined });
  }
}

/** The headers `checkAccess` reads, copied out of uWS's request (which lower-cases names; a missing one reads as ''). */
function upgradeRequest(req: HttpRequest): UpgradeRequest {
  const headers: Record<string, string> = {};
  for (const name of ['origin', 'authorization', 'sec-websocket-protocol']) {
    const value = req.getHeader(name);
    if (value !== '') headers[name] = value;
  }
  const query = req.getQuery();
  return { url: query ? `${req.getUrl()}?${query}` : req.getUrl(), headers };
}

/** The same refusal the ws engine writes: the status, and a JSON body with the message. */
function writeRefusal(res: HttpResponse, refusal: UpgradeRefusal): void {
  res
    .writeStatus(`${refusal.status} ${refusal.message}`)
    .writeHeader('Content-Type', 'application/json')
    .end(JSON.stringify({ status: 'error', message: refusal.message }), true);
}
