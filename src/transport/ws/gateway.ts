import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import { upgradeCompleted } from '../http/connection-deadlines.js';
import { sweepHeartbeats } from './heartbeat-sweep.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../logger.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import { closeCodeOf, ERRORS, httpStatusOf, type ErrorCode } from '../../domain/errors.js';
import { Connection, connectionContext, type ConnectionContext, type ConnectionLimits } from './connection.js';
import { TopicFanout } from './topic-fanout.js';
import { checkAccess, selectSubprotocol, type AccessPolicy } from '../auth/access-check.js';
import type { Credential } from '../auth/credential.js';
import type { ExpiryTiming } from './auth-expiry.js';

export const WS_PATH = '/api/v1/ws';

export interface GatewayOptions {
  readonly server: Server;
  readonly hub: Hub;
  readonly emit: EmitEvent;
  readonly logger: Logger;
  readonly now: () => number;
  /** Drives per-connection timers (heartbeat, drain checks) and the rate limiter's clock. */
  readonly scheduler: SchedulerLike;
  /** Origin allow-list and tokens, checked before a WebSocket opens (the policy HTTP uses too). */
  readonly access: AccessPolicy;
  /** When a JWT connection hears of its expiry, and when it is closed. */
  readonly expiry: ExpiryTiming;
  /** The `limits` config group, names unchanged (`maxPayloadBytes` becomes ws's `maxPayload` here, at ws's door). */
  readonly limits: ConnectionLimits & { readonly maxPayloadBytes: number; readonly maxConnections: number };
  /** The `heartbeat` config group: protocol pings every `intervalMs` (0: off). */
  readonly heartbeat: { readonly intervalMs: number };
  /** Offer permessage-deflate (off by default: it also rules out framing once for all sockets). */
  readonly perMessageDeflate?: boolean;
  /** A live-fed topic with no update for longer than this is declared stale to its subscribers; 0: never. */
  readonly staleAfterMs?: number;
}

/** The shortest silence that declares a topic stale. */
export const MIN_STALE_MS = 1_000;

/** How long a peer gets to answer our close frame before its socket is destroyed. */
const CLOSE_HANDSHAKE_TIMEOUT_MS = 2_000;

/**
 * The WebSocket endpoint: accepts upgrades on WS_PATH on the HTTP server's port, gives each
 * connection a Session, and closes them all with 1001 on shutdown.
 */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly fanout: TopicFanout;
  private readonly connections = new Set<Connection>();
  /** Upgrades whose token is being verified: they count toward maxConnections already. */
  private pendingUpgrades = 0;
  private readonly context: ConnectionContext;
  /** The heartbeat sweep: one timer for all connections, running while any is open. */
  private heartbeat: Subscription | undefined;
  /** The stale-topic sweep: one timer, running while any connection is open. */
  private staleSweep: Subscription | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A request line Node accepted but URL cannot parse must not become an unhandled rejection.
    this.upgrade(request, socket, head).catch(() => rejectUpgrade(socket, 400, 'Bad Request'));
  };

  constructor(private readonly options: GatewayOptions) {
    // permessage-deflate is off: bar frames are small, and compressing each one per socket
    // costs more CPU than the bytes it saves.
    // closeTimeout is a ws 8 server option that @types/ws does not declare yet, hence the variable.
    // clientTracking is off because `connections` already tracks every socket: ws's own Set
    // would add an entry, a closure and a second 'close' listener per connection.
    const serverOptions = {
      noServer: true,
      clientTracking: false,
      maxPayload: options.limits.maxPayloadBytes,
      perMessageDeflate: options.perMessageDeflate ?? false,
      closeTimeout: CLOSE_HANDSHAKE_TIMEOUT_MS,
      // barcast.v1 when offered; a barcast.bearer.<token> protocol is never echoed back.
      handleProtocols: selectSubprotocol,
    };
    this.wss = new WebSocketServer(serverOptions);
    this.fanout = new TopicFanout(options.emit, options.now);
    this.context = connectionContext({
      ...options,
      fanout: this.fanout,
      auth: { authority: () => options.access.authority, timing: options.expiry, scheduler: options.scheduler, emit: options.emit },
      onClosed: (connection) => {
        this.connections.delete(connection);
        if (this.connections.size === 0) this.stopHeartbeat();
      },
    });
    options.server.on('upgrade', this.onUpgrade);
  }

  /** Closes every client with 1001 and waits (up to `timeoutMs`) for them to go, then cuts the rest. */
  async close(timeoutMs: number): Promise<void> {
    this.options.server.off('upgrade', this.onUpgrade);
    this.stopHeartbeat();
    const sockets = [...this.connections].map((connection) => connection.socket);
    const closed = sockets.map((socket) => waitForClose(socket));
    for (const socket of sockets) socket.close(closeCodeOf('SHUTTING_DOWN'), ERRORS.SHUTTING_DOWN.message);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(closed), deadline]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.socket.terminate();
    // Terminated sockets close at once; their 'close' (and the session cleanup) follows. ws would
    // wait for it in wss.close only with its own client tracking, which is off (see the constructor).
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /**
   * Closes, with 4003, every connection whose credential no longer holds (its static token
   * was removed from the token file); called after the access policy was reloaded.
   */
  revokeInvalidCredentials(): number {
    const authority = this.options.access.authority;
    let revoked = 0;
    for (const connection of this.connections) {
      if (authority.stillValid(connection.auth.current)) continue;
      connection.revoke();
      revoked++;
    }
    return revoked;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== WS_PATH) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.connections.size + this.pendingUpgrades >= this.options.limits.maxConnections) {
      this.refuse(socket, 'SERVER_FULL');
      return;
    }
    // Node removes its own error listener from an upgraded socket: one is needed while the token is verified.
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    this.pendingUpgrades++;
    let verdict;
    try {
      verdict = await checkAccess(request, this.options.access, { requireOrigin: true });
    } finally {
      this.pendingUpgrades--;
      socket.off('error', onError);
    }
    if (socket.destroyed) return;
    if (!verdict.ok) {
      this.options.logger.debug({ code: verdict.code, refusal: verdict.refusal }, 'upgrade refused');
      this.refuse(socket, verdict.code);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      upgradeCompleted(socket);
      this.accept(ws, verdict.credential);
    });
  }

  private refuse(socket: Duplex, code: ErrorCode): void {
    const status = httpStatusOf(code);
    this.options.emit({ type: 'connection_refused', status });
    rejectUpgrade(socket, status, ERRORS[code].message);
  }

  /** The live-fed topics clients watch here, and those declared stale (no update for longer than staleAfterMs). */
  liveTopics(): { readonly watched: number; readonly stale: string[] } {
    return this.fanout.liveTopics();
  }

  private accept(socket: WebSocket, credential: Credential): void {
    this.connections.add(new Connection(socket, this.context, credential));
    if (this.connections.size === 1) {
      this.startHeartbeat();
      this.startStaleSweep();
    }
  }

  /**
   * Checks a few times per stale period, so a topic is declared stale within a third of it of
   * going quiet. Never under MIN_STALE_MS of silence, however short the interval: a loaded
   * event loop stalls for tens of milliseconds, which is not a stale source.
   */
  private startStaleSweep(): void {
    const configured = this.options.staleAfterMs ?? 0;
    if (configured <= 0 || this.staleSweep) return;
    const staleAfterMs = Math.max(MIN_STALE_MS, configured);
    this.staleSweep = interval(Math.max(50, staleAfterMs / 3), this.options.scheduler).subscribe(() => this.fanout.sweepStale(staleAfterMs));
  }

  /** Every interval: ping the peers that answered the last ping, terminate those that did not. */
  private startHeartbeat(): void {
    const { intervalMs } = this.options.heartbeat;
    if (intervalMs <= 0 || this.heartbeat) return;
    this.heartbeat = interval(intervalMs, this.options.scheduler)
      .pipe(sweepHeartbeats(() => this.connections))
      .subscribe(({ ping, dead }) => {
        for (const connection of dead) connection.terminateDeadPeer();
        for (const connection of ping) connection.ping();
      });
  }

  private stopHeartbeat(): void {
    this.heartbeat?.unsubscribe();
    this.heartbeat = undefined;
    this.staleSweep?.unsubscribe();
    this.staleSweep = undefined;
  }
}

function waitForClose(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

export function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ status: 'error', message: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
