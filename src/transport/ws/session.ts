import { WebSocket, type RawData } from 'ws';
import { requestError, type RequestError } from '../../domain/errors.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import { CLOSE_POLICY_VIOLATION } from './close-codes.js';
import {
  errorMessage,
  parseClientFrame,
  PONG_MESSAGE,
  topicErrorResponse,
  topicResponse,
  type ClientMessage,
  type TopicAction,
} from './protocol.js';
import type { Outbox } from './outbox.js';
import type { MessageRateLimiter } from './rate-limit.js';
import type { FrameSink, TopicFanout } from './topic-fanout.js';

/** The per-connection protections a session applies (built by connection.ts). */
export interface SessionGuards {
  readonly outbox: Outbox;
  readonly rateLimiter: MessageRateLimiter;
  readonly maxSubscriptions: number;
}

/** One client connection: its subscriptions, and the mapping of its messages to topics. */
export class Session implements FrameSink {
  private readonly topics = new Set<string>();

  constructor(
    private readonly socket: WebSocket,
    private readonly hub: Hub,
    private readonly fanout: TopicFanout,
    private readonly emit: EmitEvent,
    private readonly guards: SessionGuards,
  ) {}

  /** A topic update from the fan-out: through the outbox, which conflates it if the socket lags. */
  send(frame: string, topic: string): void {
    this.guards.outbox.send(frame, topic);
  }

  receive(data: RawData, isBinary: boolean): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const verdict = this.guards.rateLimiter.take();
    if (verdict === 'close') {
      this.emit({ type: 'message_rejected', code: 'RATE_LIMITED' });
      this.socket.close(CLOSE_POLICY_VIOLATION, 'rate limit exceeded');
      return;
    }
    if (verdict === 'reject') {
      this.rejectFrame(requestError('RATE_LIMITED', 'too many messages; slow down and retry'));
      return;
    }
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) {
      this.rejectFrame(parsed.error);
      return;
    }
    this.handle(parsed.message);
  }

  /** Releases every subscription; called once when the socket closes. */
  close(): void {
    this.guards.outbox.dispose();
    for (const key of this.topics) this.release(key);
  }

  private reply(frame: string): void {
    this.guards.outbox.sendReply(frame);
  }

  // Every error a client is sent goes through one of these two, so metrics count them by code.

  /** An error about the frame itself, answered as `{"type":"error"}`. */
  private rejectFrame(error: RequestError): void {
    this.emit({ type: 'message_rejected', code: error.code });
    this.reply(errorMessage(error));
  }

  /** An error answering a topic request, as its `.response` with status error. */
  private rejectRequest(kind: string, action: TopicAction, error: RequestError): void {
    this.emit({ type: 'message_rejected', code: error.code });
    this.reply(topicErrorResponse(kind, action, error));
  }

  private handle(message: ClientMessage): void {
    if (message.type === 'ping') {
      this.reply(PONG_MESSAGE);
      return;
    }
    const { kind, action, payload } = message;
    if (!this.hub.hasKind(kind)) {
      this.rejectFrame(requestError('UNKNOWN_TYPE', `unknown message type "${kind}.${action}"`));
      return;
    }
    const opened = this.hub.open(kind, payload);
    if (!opened.ok) {
      this.rejectRequest(kind, action, opened.error);
      return;
    }
    const { topic } = opened;
    const fields = { ...topic.description, topic: topic.key };
    if (action === 'subscribe') {
      const added = !this.topics.has(topic.key);
      if (added && this.topics.size >= this.guards.maxSubscriptions) {
        const limit = `at most ${this.guards.maxSubscriptions} subscriptions per connection; unsubscribe from one first`;
        this.rejectRequest(kind, action, requestError('SUBSCRIPTION_LIMIT', limit));
        return;
      }
      // The response goes first: a client must learn it is subscribed before the first update.
      this.respond(kind, action, fields, added ? `Subscribed to ${topic.key}` : `Already subscribed to ${topic.key}`);
      if (added) {
        this.topics.add(topic.key);
        this.fanout.join(topic, this);
        this.emit({ type: 'subscription_added', topic: topic.key });
      }
    } else {
      const removed = this.topics.has(topic.key);
      if (removed) this.release(topic.key);
      this.respond(kind, action, fields, removed ? `Unsubscribed from ${topic.key}` : `Was not subscribed to ${topic.key}`);
    }
  }

  private respond(kind: string, action: TopicAction, fields: Readonly<Record<string, unknown>>, message: string): void {
    this.reply(topicResponse(kind, action, fields, message));
  }

  private release(key: string): void {
    this.topics.delete(key);
    this.fanout.leave(key, this);
    this.guards.outbox.forget(key);
    this.emit({ type: 'subscription_removed', topic: key });
  }
}
