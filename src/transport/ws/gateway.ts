import type { AddressInfo } from 'node:net';
import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import { sweepHeartbeats } from './heartbeat-sweep.js';
import type { Logger } from '../../logger.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import { closeCodeOf, ERRORS, httpStatusOf, type ErrorCode } from '../../domain/errors.js';
import { Connection, connectionContext, type ConnectionContext, type ConnectionLimits } from './connection.js';
import { TopicFanout } from './topic-fanout.js';
import type { AccessPolicy } from '../auth/access-check.js';
import type { Credential } from '../auth/credential.js';
import type { ExpiryTiming } from './auth-expiry.js';
import type { PeerSocket } from './peer-socket.js';
import type { TradeIngest } from './trades-publish.js';

export const WS_PATH = '/api/v1/ws';

export interface GatewayOptions {
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
  /** The `limits` config group, names unchanged (each engine applies `maxPayloadBytes` at its own door). */
  readonly limits: ConnectionLimits & { readonly maxPayloadBytes: number; readonly maxConnections: number };
  /** The `heartbeat` config group: protocol pings every `intervalMs` (0: off). */
  readonly heartbeat: { readonly intervalMs: number };
  /** A live-fed topic with no update for longer than this is declared stale to its subscribers; 0: never. */
  readonly staleAfterMs?: number;
  /** Where `trades.publish` goes (INGEST_SYMBOLS set); without it the message type is unknown. */
  readonly ingest?: TradeIngest;
}

/** The shortest silence that declares a topic stale. */
export const MIN_STALE_MS = 1_000;

/** An upgrade the gateway turns down: the HTTP status and the message its JSON body carries. */
export interface UpgradeRefusal {
  readonly status: number;
  readonly message: string;
}

/**
 * A WebSocket engine (`transport.engine`): the door clients come in by, in front of the one
 * gateway. ws serves on the HTTP server's port (ws-engine.ts); uWebSockets.js cannot adopt a
 * Node socket, so it serves on a port of its own (uws-engine.ts). Both hand every accepted
 * socket to `Gateway.accept` as a PeerSocket, and nothing behind that asks which engine it is.
 */
export interface WebSocketEngine {
  readonly gateway: Gateway;
  /** Serves; resolves with the address WebSocket clients connect to (the HTTP server is listening already). */
  listen(host: string): Promise<AddressInfo>;
  /** Stops taking upgrades, closes every client with 1001 (see Gateway.close), releases its port if it has one. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The transport-neutral half of the WebSocket endpoint: admits upgrades against
 * maxConnections (pending ones included), gives each accepted socket a Connection, runs the
 * heartbeat and stale-topic sweeps, and closes them all with 1001 on shutdown.
 */
export class Gateway {
  private readonly fanout: TopicFanout;
  private readonly connections = new Set<Connection>();
  /** Upgrades whose token is being verified: they count toward maxConnections already. */
  private pendingUpgrades = 0;
  private readonly context: ConnectionContext;
  /** The heartbeat sweep: one timer for all connections, running while any is open. */
  private heartbeat: Subscription | undefined;
  /** The stale-topic sweep: one timer, running while any connection is open. */
  private staleSweep: Subscription | undefined;
  /** Resolves `close`'s wait once the last connection has gone. */
  private onEmptied: (() => void) | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.fanout = new TopicFanout(options.emit, options.now);
    this.context = connectionContext({
      ...options,
      fanout: this.fanout,
      auth: { authority: () => options.access.authority, timing: options.expiry, scheduler: options.scheduler, emit: options.emit },
      onClosed: (connection) => {
        this.connections.delete(connection);
        if (this.connections.size > 0) return;
        this.stopSweeps();
        this.onEmptied?.();
      },
    });
  }

  get access(): AccessPolicy {
    return this.options.access;
  }

  /** Whether one more upgrade fits under maxConnections (open connections and pending upgrades). */
  hasRoom(): boolean {
    return this.connections.size + this.pendingUpgrades < this.options.limits.maxConnections;
  }

  /** Holds a place for an upgrade whose access check is running; `release` gives it back. */
  reserve(): { release(): void } {
    this.pendingUpgrades++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.pendingUpgrades--;
      },
    };
  }

  /**
   * Counts and describes a refused upgrade (`refusal`: why access was refused, for the debug
   * log; `address`: the client's); the engine writes the HTTP response.
   */
  refuse(code: ErrorCode, refusal?: string, address?: string): UpgradeRefusal {
    if (refusal !== undefined) this.options.logger.debug({ code, refusal, address }, 'upgrade refused');
    const status = httpStatusOf(code);
    this.options.emit({ type: 'connection_refused', status, ...(address === undefined ? {} : { address }) });
    return { status, message: ERRORS[code].message };
  }

  /** An opened WebSocket, with the credential its upgrade presented (checked by the engine with `checkAccess`) and its client's address. */
  accept(socket: PeerSocket, credential: Credential, address: string): void {
    this.connections.add(new Connection(socket, this.context, credential, address));
    if (this.connections.size === 1) {
      this.startHeartbeat();
      this.startStaleSweep();
    }
  }

  /** Closes every client with 1001 and waits (up to `timeoutMs`) for them to go, then cuts the rest. */
  async close(timeoutMs: number): Promise<void> {
    this.stopSweeps();
    const emptied = new Promise<void>((resolve) => {
      if (this.connections.size === 0) resolve();
      else this.onEmptied = resolve;
    });
    for (const connection of [...this.connections]) connection.socket.close(closeCodeOf('SHUTTING_DOWN'), ERRORS.SHUTTING_DOWN.message);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([emptied, deadline]);
    clearTimeout(timer);
    for (const connection of [...this.connections]) connection.socket.terminate();
    // A terminated ws socket's 'close' (and the session cleanup) follows a turn later.
    await emptied;
  }

  /**
   * Closes, with 4003, every connection whose credential no longer holds (its static token
   * was removed from the token file); called after the access policy was reloaded.
   */
  revokeInvalidCredentials(): number {
    const authority = this.options.access.authority;
    let revoked = 0;
    for (const connection of [...this.connections]) {
      if (authority.stillValid(connection.credential)) continue;
      connection.revoke();
      revoked++;
    }
    return revoked;
  }

  /** The live-fed topics clients watch here, and those declared stale (no update for longer than staleAfterMs). */
  liveTopics(): { readonly watched: number; readonly stale: string[] } {
    return this.fanout.liveTopics();
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

  private stopSweeps(): void {
    this.heartbeat?.unsubscribe();
    this.heartbeat = undefined;
    this.staleSweep?.unsubscribe();
    this.staleSweep = undefined;
  }
}
