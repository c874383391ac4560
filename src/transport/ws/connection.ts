import type { SchedulerLike } from 'rxjs';
import type { RawData } from 'ws';
import type { Logger } from '../../logger.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import type { HeartbeatPeer } from './heartbeat-sweep.js';
import type { PeerListener, PeerSocket } from './peer-socket.js';
import { closeCodeOf, ERRORS } from '../../domain/errors.js';
import type { Credential } from '../auth/credential.js';
import { AuthSession, type AuthContext, type AuthOwner } from './auth-session.js';
import { Outbox, type OutboxOptions, type OutboxOwner } from './outbox.js';
import { MessageRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { Session } from './session.js';
import type { TopicFanout } from './topic-fanout.js';

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
    onClosed: options.onClosed,
  };
}

/**
 * One accepted socket: a Session behind a rate limiter and an outbox, answering the
 * gateway's heartbeat sweeps, and cleaned up when the socket closes.
 */
export class Connection implements OutboxOwner, HeartbeatPeer, AuthOwner, PeerListener {
  /** A protocol ping was sent and its pong has not come back yet. */
  awaitingPong = false;
  readonly session: Session;
  readonly auth: AuthSession;
  private readonly outbox: Outbox;

  /** `credential`: what the upgrade request presented (checked by the gateway). */
  constructor(
    readonly socket: PeerSocket,
    readonly context: ConnectionContext,
    credential: Credential,
  ) {
    this.outbox = new Outbox(socket, context.outbox, this);
    this.auth = new AuthSession(credential, this, context.auth);
    this.session = new Session(socket, context, this.outbox, new MessageRateLimiter(context.rateLimit), this.auth);
    context.emit({ type: 'client_joined' });
    socket.listen(this);
  }

  receive(data: RawData, isBinary: boolean): void {
    this.session.receive(data, isBinary);
  }

  pong(): void {
    this.awaitingPong = false;
  }

  failed(error: Error): void {
    this.context.logger.debug({ err: error }, 'websocket error');
  }

  /** Heartbeat: ping now and expect the pong before the next sweep. */
  ping(): void {
    this.awaitingPong = true;
    this.socket.ping();
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
    this.context.logger.warn({ bufferedBytes: this.socket.bufferedAmount }, 'closing a slow consumer');
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
