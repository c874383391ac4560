import { fromEventPattern, type Observable, type SchedulerLike } from 'rxjs';
import type { WebSocket } from 'ws';
import type { Logger } from '../../logger.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import { heartbeat } from '../../streams/operators/heartbeat.js';
import { CLOSE_TRY_AGAIN_LATER } from './close-codes.js';
import { Outbox } from './outbox.js';
import { MessageRateLimiter } from './rate-limit.js';
import { Session } from './session.js';
import type { TopicFanout } from './topic-fanout.js';

/** Per-connection limits (the `limits` config group) and the protocol ping period. */
export interface ConnectionLimits {
  readonly maxSubscriptions: number;
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly rateLimitCloseAfter: number;
  readonly bufferSoftBytes: number;
  readonly bufferHardBytes: number;
  readonly slowConsumerTimeoutMs: number;
  readonly drainCheckMs: number;
  /** 0 turns protocol pings off. */
  readonly heartbeatIntervalMs: number;
}

export interface ConnectionDependencies {
  readonly hub: Hub;
  readonly fanout: TopicFanout;
  readonly emit: EmitEvent;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  readonly limits: ConnectionLimits;
  /** The gateway's one ping ticker, shared by every connection; undefined when pings are off. */
  readonly heartbeatTicks$: Observable<unknown> | undefined;
}

/**
 * Wires one accepted socket: a Session behind a rate limiter and an outbox, a heartbeat
 * that terminates a peer that stops answering pings, and cleanup when the socket closes.
 */
export function acceptConnection(socket: WebSocket, dependencies: ConnectionDependencies): void {
  const { hub, fanout, emit, logger, scheduler, limits, heartbeatTicks$ } = dependencies;
  const outbox = new Outbox(socket, {
    softBytes: limits.bufferSoftBytes,
    hardBytes: limits.bufferHardBytes,
    slowConsumerTimeoutMs: limits.slowConsumerTimeoutMs,
    drainCheckMs: limits.drainCheckMs,
    scheduler,
    onConflated: (topic, bufferedBytes) => emit({ type: 'update_conflated', topic, bufferedBytes }),
    onSlowConsumer: () => {
      emit({ type: 'slow_consumer_closed' });
      logger.warn({ bufferedBytes: socket.bufferedAmount }, 'closing a slow consumer');
      socket.close(CLOSE_TRY_AGAIN_LATER, 'too slow: reconnect later');
    },
  });
  const rateLimiter = new MessageRateLimiter({
    ratePerSecond: limits.messagesPerSecond,
    burst: limits.messageBurst,
    closeAfter: limits.rateLimitCloseAfter,
    now: () => scheduler.now(),
  });
  const session = new Session(socket, hub, fanout, emit, { outbox, rateLimiter, maxSubscriptions: limits.maxSubscriptions });
  const beat =
    heartbeatTicks$ !== undefined
      ? pongs(socket)
          .pipe(heartbeat(heartbeatTicks$))
          .subscribe((signal) => {
            if (signal === 'ping') {
              socket.ping();
              return;
            }
            emit({ type: 'dead_peer_terminated' });
            socket.terminate();
          })
      : undefined;

  emit({ type: 'client_joined' });
  socket.on('message', (data, isBinary) => session.receive(data, isBinary));
  socket.on('error', (error) => logger.debug({ err: error }, 'websocket error'));
  socket.once('close', () => {
    beat?.unsubscribe();
    session.close();
    emit({ type: 'client_left' });
  });
}

/**
 * The socket's protocol pongs. Not `fromEvent`: ws sockets also look like DOM EventTargets,
 * and their addEventListener silently ignores events other than open/message/close/error.
 */
function pongs(socket: WebSocket): Observable<unknown> {
  return fromEventPattern(
    (handler) => socket.on('pong', handler),
    (handler) => socket.off('pong', handler),
  );
}
