import { WebSocket, type RawData } from 'ws';
import { requestError } from '../../domain/errors.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub } from '../../streams/hub.js';
import {
  errorMessage,
  parseClientFrame,
  PONG_MESSAGE,
  topicErrorResponse,
  topicResponse,
  type ClientMessage,
  type TopicAction,
} from './protocol.js';
import { corkSocket, uncorkSocket, writePreparedFrame, type PreparedFrame } from './prepared-frame.js';
import type { FrameSink, TopicFanout } from './topic-fanout.js';

/** One client connection: its subscriptions, and the mapping of its messages to topics. */
export class Session implements FrameSink {
  private readonly topics = new Set<string>();

  constructor(
    private readonly socket: WebSocket,
    private readonly hub: Hub,
    private readonly fanout: TopicFanout,
    private readonly emit: EmitEvent,
  ) {}

  get subscriptionCount(): number {
    return this.topics.size;
  }

  send(frame: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  /** The fan-out's hot path: bytes framed once for all sockets (see prepared-frame.ts). */
  sendPrepared(frame: PreparedFrame): void {
    if (this.socket.readyState === WebSocket.OPEN) writePreparedFrame(this.socket, frame);
  }

  cork(): void {
    corkSocket(this.socket);
  }

  uncork(): void {
    uncorkSocket(this.socket);
  }

  receive(data: RawData, isBinary: boolean): void {
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) {
      this.send(errorMessage(parsed.error));
      return;
    }
    this.handle(parsed.message);
  }

  /** Releases every subscription; called once when the socket closes. */
  close(): void {
    for (const key of this.topics) this.release(key);
  }

  private handle(message: ClientMessage): void {
    if (message.type === 'ping') {
      this.send(PONG_MESSAGE);
      return;
    }
    const { kind, action, payload } = message;
    if (!this.hub.hasKind(kind)) {
      this.send(errorMessage(requestError('UNKNOWN_TYPE', `unknown message type "${kind}.${action}"`)));
      return;
    }
    const opened = this.hub.open(kind, payload);
    if (!opened.ok) {
      this.send(topicErrorResponse(kind, action, opened.error));
      return;
    }
    const { topic } = opened;
    const fields = { ...topic.description, topic: topic.key };
    if (action === 'subscribe') {
      const added = !this.topics.has(topic.key);
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
    this.send(topicResponse(kind, action, fields, message));
  }

  private release(key: string): void {
    this.topics.delete(key);
    this.fanout.leave(key, this);
    this.emit({ type: 'subscription_removed', topic: key });
  }
}
