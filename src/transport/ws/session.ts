import { WebSocket, type RawData } from 'ws';
import { requestError } from '../../domain/errors.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub, OpenedTopic, TopicOutcome } from '../../streams/hub.js';
import {
  errorMessage,
  parseClientFrame,
  PONG_MESSAGE,
  topicErrorResponse,
  topicResponse,
  topicsResponse,
  type ClientMessage,
  type TopicAction,
} from './protocol.js';
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

  send(frame: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
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
    const opened = this.hub.request(kind, payload);
    if (!opened.ok) {
      this.send(topicErrorResponse(kind, action, opened.error));
      return;
    }
    if ('topics' in opened) {
      this.handleMany(kind, action, opened.topics);
      return;
    }
    const { topic } = opened;
    const fields = { ...topic.description, topic: topic.key };
    if (action === 'subscribe') {
      const added = !this.topics.has(topic.key);
      // The response goes first: a client must learn it is subscribed before the first update.
      this.respond(kind, action, fields, added ? `Subscribed to ${topic.key}` : `Already subscribed to ${topic.key}`);
      if (added) this.join(topic);
    } else {
      const removed = this.topics.has(topic.key);
      if (removed) this.release(topic.key);
      this.respond(kind, action, fields, removed ? `Unsubscribed from ${topic.key}` : `Was not subscribed to ${topic.key}`);
    }
  }

  /**
   * A request that names several topics: one response listing each topic's result, then the
   * subscriptions (response first, as for one topic), then the error value of each refused
   * topic whose kind reports refusals in the data (TradingView quotes do).
   */
  private handleMany(kind: string, action: TopicAction, outcomes: readonly TopicOutcome[]): void {
    const opened = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.topic] : []));
    const results = outcomes.map((outcome) => (outcome.ok ? this.resultOf(action, outcome.topic) : refusalOf(outcome)));
    const summary =
      action === 'subscribe'
        ? `Subscribed to ${opened.length} of ${results.length} topics`
        : `Unsubscribed from ${opened.filter((topic) => this.topics.has(topic.key)).length} of ${results.length} topics`;
    this.send(topicsResponse(kind, action, results, summary));
    for (const topic of opened) {
      if (action === 'subscribe' && !this.topics.has(topic.key)) this.join(topic);
      if (action === 'unsubscribe' && this.topics.has(topic.key)) this.release(topic.key);
    }
    if (action !== 'subscribe') return;
    for (const outcome of outcomes) {
      if (!outcome.ok && outcome.rejection) this.fanout.notify(this, kind, outcome.rejection.key, outcome.rejection.value);
    }
  }

  private resultOf(action: TopicAction, topic: OpenedTopic): Readonly<Record<string, unknown>> {
    const subscribed = this.topics.has(topic.key);
    const message =
      action === 'subscribe'
        ? `${subscribed ? 'Already subscribed' : 'Subscribed'} to ${topic.key}`
        : `${subscribed ? 'Unsubscribed from' : 'Was not subscribed to'} ${topic.key}`;
    return { status: 'ok', ...topic.description, topic: topic.key, message };
  }

  private join(topic: OpenedTopic): void {
    this.topics.add(topic.key);
    this.fanout.join(topic, this);
    this.emit({ type: 'subscription_added', topic: topic.key });
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

function refusalOf(outcome: Exclude<TopicOutcome, { ok: true }>): Readonly<Record<string, unknown>> {
  const topic = outcome.key === undefined ? {} : { topic: outcome.key };
  return { status: 'error', ...outcome.fields, ...topic, code: outcome.error.code, message: outcome.error.message };
}
