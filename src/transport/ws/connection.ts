import type { SchedulerLike } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../../logger.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import type { HeartbeatPeer } from './heartbeat-sweep.js';
import { closeCodeOf, ERRORS } from '../../domain/errors.js';
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
    onClosed: options.onClosed,
  };
}

/** Socket listeners are shared functions (ws calls them with the socket as `this`), not closures per socket. */
const connectionOf = new WeakMap<WebSocket, Connection>();

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  connectionOf.get(this)?.session.receive(data, isBinary);
}

function onPong(this: WebSocket): void {
  const connection = connectionOf.get(this);
  if (connection) connection.awaitingPong = false;
}

function onError(this: WebSocket, error: Error): void {
  connectionOf.get(this)?.context.logger.debug({ err: error }, 'websocket error');
}

function onClose(this: WebSocket): void {
  connectionOf.get(this)?.closed();
}

/**
 * One accepted socket: a Session behind a rate limiter and an outbox, answering the
 * gateway's heartbeat sweeps, and cleaned up when the socket closes.
 */
export class Connection implements OutboxOwner, HeartbeatPeer {
  /** A protocol ping was sent and its pong has not come back yet. */
  awaitingPong = false;
  readonly session: Session;

  constructor(
    readonly socket: WebSocket,
    readonly context: ConnectionContext,
  ) {
    this.session = new Session(socket, context, new Outbox(socket, context.outbox, this), new MessageRateLimiter(context.rateLimit));
    connectionOf.set(socket, this);
    context.emit({ type: 'client_joined' });
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('error', onError);
    // `on`, not `once`: close fires once anyway, and `once` would wrap the listener per socket.
    socket.on('close', onClose);
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

  closed(): void {
    connectionOf.delete(this.socket);
    this.session.close();
    this.context.emit({ type: 'client_left' });
    this.context.onClosed(this);
  }
}
