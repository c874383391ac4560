import type { SchedulerLike } from 'rxjs';
import type { RawData } from 'ws';
import type { Logger } from '../../logger.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import type { HeartbeatPeer } from './heartbeat-sweep.js';
import type { PeerListener, PeerSocket } from './peer-socket.js';
import { closeCodeOf, ERRORS } from '../../domain/errors.js';
import type { PublishScope } from '../../domain/publish-scope.js';
import { publishScopeOf, type Credential } from '../auth/credential.js';
import type { RequestId } from './protocol.js';
import { AuthSession, type AuthContext, type AuthOwner } from './auth-session.js';
import { Outbox, type OutboxOptions, type OutboxOwner } from './outbox.js';
import { MessageRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { Session, type SessionAuth } from './session.js';
import type { TopicFanout } from './topic-fanout.js';
import type { TradeIngest } from './trades-publish.js';

/** Per-connection limits: the `limits` config group, with its names. */
export interface ConnectionLimits {
  readonly maxSubscriptions: number;
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly rateLimitCloseAfter: number;
  readonly bufferSoftBytes: number;
  readonly bufferHardBytes: number;
  readonly slowConsumerTimeoutMs: number;
  readonly drainCheckMs: number;
  readonly unreadSoftBytes: number;
}

/**
 * What every connection of a gateway shares, built once (see `connectionContext`), so that a
 * connection holds only its own state: memory per connection is what a 10,000-socket
 * gateway pays 10,000 times.
 */
export interface ConnectionContext {
  readonly hub: Hub;
  readonly fanout: TopicFanout;
  readonly emit: EmitEvent;
  readonly logger: Logger;
  readonly maxSubscriptions: number;
  readonly outbox: OutboxOptions;
  readonly rateLimit: RateLimitOptions;
  readonly auth: AuthContext;
  /** Where `trades.publish` goes (absent: this server ingests no trades). */
  readonly ingest?: TradeIngest;
  /** Called once when the connection's socket has closed. */
  readonly onClosed: (connection: Connection) => void;
}

export interface ConnectionContextOptions {
  readonly hub: Hub;
  readonly fanout: TopicFanout;
  readonly emit: EmitEvent;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  readonly limits: ConnectionLimits;
  readonly auth: AuthContext;
  readonly ingest?: TradeIngest | undefined;
  readonly onClosed: (connection: Connection) => void;
}

export function connectionContext(options: ConnectionContextOptions): ConnectionContext {
  const { limits, scheduler } = options;
  return {
    hub: options.hub,
    fanout: options.fanout,
    emit: options.emit,
    logger: options.logger,
    maxSubscriptions: limits.maxSubscriptions,
    // The config's names travel down unchanged (limits.bufferSoftBytes is bufferSoftBytes here too).
    outbox: { ...limits, scheduler },
    rateLimit: { ...limits, now: () => scheduler.now() },
    auth: options.auth,
    ...(options.ingest ? { ingest: options.ingest } : {}),
    onClosed: options.onClosed,
  };
}

/**
 * One accepted socket: a Session behind a rate limiter and an outbox, answering the
 * gateway's heartbeat sweeps, and cleaned up when the socket closes.
 */
export class Connection implements OutboxOwner, HeartbeatPeer, AuthOwner, PeerListener, SessionAuth {
  /** A protocol ping was sent and its pong has not come back yet. */
  awaitingPong = false;
  readonly session: Session;
  private readonly outbox: Outbox;
  /**
   * Made only where there is something to do: a JWT's expiry to watch, or an `auth.*` message.
   * A connection on a static token, or none, pays this one field instead of an AuthSession.
   */
  private authSession: AuthSession | undefined;

  /** `presented`: the credential of the upgrade request (checked by the engine); `address`: the client's (TRUSTED_PROXIES applied), for logs. */
  constructor(
    readonly socket: PeerSocket,
    readonly context: ConnectionContext,
    private readonly presented: Credential,
    readonly address: string,
  ) {
    this.outbox = new Outbox(socket, context.outbox, this);
    if (presented.kind === 'jwt') this.authSession = new AuthSession(presented, this, context.auth);
    this.session = new Session(socket, context, this.outbox, new MessageRateLimiter(context.rateLimit), this);
    context.emit({ type: 'client_joined', address });
    socket.listen(this);
    // The first read probe, at once: whether this peer answers pings is known before it could fall behind.
    if (context.outbox.unreadSoftBytes > 0) this.outbox.ping();
  }

  /** The credential in force: the upgrade's, or the one a later `auth.refresh` brought. */
  get credential(): Credential {
    return this.authSession?.current ?? this.presented;
  }

  received(data: RawData, isBinary: boolean): void {
    this.session.receive(data, isBinary);
  }

  // SessionAuth: the session's access questions, answered without an AuthSession while none is needed.
  allows(key: string): boolean {
    // Only a JWT scopes topics, and a JWT connection has its AuthSession from the start.
    return this.authSession?.allows(key) ?? true;
  }

  receiveAuth(type: string, payload: unknown, id?: RequestId): void {
    this.authSession ??= new AuthSession(this.presented, this, this.context.auth);
    this.authSession.receive(type, payload, id);
  }

  stopAuth(): void {
    this.authSession?.close();
  }

  publishing(): PublishScope | undefined {
    return publishScopeOf(this.credential);
  }

  pong(payload: Uint8Array): void {
    this.awaitingPong = false;
    this.outbox.ponged(payload);
  }

  failed(error: Error): void {
    this.context.logger.debug({ err: error, address: this.address }, 'websocket error');
  }

  /** Heartbeat: ping now and expect the pong before the next sweep. */
  ping(): void {
    this.awaitingPong = true;
    // The outbox's ping: it carries the bytes written so far, so a heartbeat's pong confirms reading too.
    this.outbox.ping();
  }

  /** Heartbeat: the last ping went unanswered for a whole period. */
  terminateDeadPeer(): void {
    this.context.emit({ type: 'dead_peer_terminated' });
    this.socket.terminate();
  }

  onConflated(topic: string, bufferedBytes: number): void {
    this.context.emit({ type: 'update_conflated', topic, bufferedBytes });
  }

  onSlowConsumer(): void {
    this.context.emit({ type: 'slow_consumer_closed' });
    this.context.logger.warn({ bufferedBytes: this.socket.bufferedAmount, address: this.address }, 'closing a slow consumer');
    this.socket.close(closeCodeOf('SLOW_CONSUMER'), ERRORS.SLOW_CONSUMER.message);
  }

  get isOpen(): boolean {
    return this.socket.isOpen;
  }

  sendReply(frame: string): void {
    this.outbox.sendReply(frame);
  }

  closeForAuth(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  /** Access control: the token this connection uses was removed (SIGHUP reload). */
  revoke(): void {
    this.context.emit({ type: 'connection_closed_by_auth', reason: 'revoked' });
    this.socket.close(closeCodeOf('TOKEN_REVOKED'), ERRORS.TOKEN_REVOKED.message);
  }

  closed(): void {
    this.session.close();
    this.context.emit({ type: 'client_left' });
    this.context.onClosed(this);
  }
}
