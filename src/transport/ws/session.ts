import { WebSocket, type RawData } from 'ws';
import { requestError, type RequestError } from '../../domain/errors.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub, OpenedTopic, TopicOutcome } from '../../streams/hub.js';
import { CLOSE_POLICY_VIOLATION } from './close-codes.js';
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
import type { AuthSession } from './auth-session.js';
import type { Outbox } from './outbox.js';
import { corkSocket, uncorkSocket, type PreparedFrame } from './prepared-frame.js';
import type { MessageRateLimiter } from './rate-limit.js';
import type { FrameSink, TopicFanout } from './topic-fanout.js';

/** What every session of a gateway shares (one object for all; see connection.ts). */
export interface SessionContext {
  readonly hub: Hub;
  readonly fanout: TopicFanout;
  readonly emit: EmitEvent;
  readonly maxSubscriptions: number;
}

/** One client connection: its subscriptions, and the mapping of its messages to topics. */
export class Session implements FrameSink {
  private readonly topics = new Set<string>();

  /** `outbox` and `rateLimiter` are this connection's own protections (built by connection.ts). */
  constructor(
    private readonly socket: WebSocket,
    private readonly context: SessionContext,
    private readonly outbox: Outbox,
    private readonly rateLimiter: MessageRateLimiter,
    /** Token scopes, expiry and auth.* messages (auth-session.ts). */
    private readonly auth: AuthSession,
  ) {}

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** Topics this connection is on; the fan-out batches the writes of one tick when it is several. */
  get subscriptionCount(): number {
    return this.topics.size;
  }

  /**
   * A topic update from the fan-out, framed once for all sockets (prepared-frame.ts): written
   * straight through while the socket keeps up, held and conflated by the outbox while it lags.
   */
  send(frame: PreparedFrame, topic: string): void {
    this.outbox.send(frame, topic);
  }

  cork(): void {
    corkSocket(this.socket);
  }

  uncork(): void {
    uncorkSocket(this.socket);
  }

  receive(data: RawData, isBinary: boolean): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const verdict = this.rateLimiter.take();
    if (verdict === 'close') {
      this.context.emit({ type: 'message_rejected', code: 'RATE_LIMITED' });
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
    this.auth.close();
    this.outbox.dispose();
    for (const key of this.topics) this.release(key);
  }

  private reply(frame: string): void {
    this.outbox.sendReply(frame);
  }

  // Every error a client is sent goes through one of these two, so metrics count them by code.

  /** An error about the frame itself, answered as `{"type":"error"}`. */
  private rejectFrame(error: RequestError): void {
    this.context.emit({ type: 'message_rejected', code: error.code });
    this.reply(errorMessage(error));
  }

  /** An error answering a topic request, as its `.response` with status error. */
  private rejectRequest(kind: string, action: TopicAction, error: RequestError): void {
    this.context.emit({ type: 'message_rejected', code: error.code });
    this.reply(topicErrorResponse(kind, action, error));
  }

  private handle(message: ClientMessage): void {
    if (message.type === 'ping') {
      this.reply(PONG_MESSAGE);
      return;
    }
    if (message.type === 'auth') {
      this.auth.receive(message.name, message.frame);
      return;
    }
    const { kind, action, payload } = message;
    if (!this.context.hub.hasKind(kind)) {
      this.rejectFrame(requestError('UNKNOWN_TYPE', `unknown message type "${kind}.${action}"`));
      return;
    }
    const opened = this.context.hub.request(kind, payload);
    if (!opened.ok) {
      this.rejectRequest(kind, action, opened.error);
      return;
    }
    if ('topics' in opened) {
      this.handleMany(kind, action, opened.topics);
      return;
    }
    const { topic } = opened;
    const fields = { ...topic.description, topic: topic.key };
    if (action === 'subscribe') {
      if (!this.auth.allows(topic.key)) {
        this.rejectRequest(kind, action, forbiddenTopic(topic.key));
        return;
      }
      const added = !this.topics.has(topic.key);
      if (added && this.topics.size >= this.context.maxSubscriptions) {
        const limit = `at most ${this.context.maxSubscriptions} subscriptions per connection; unsubscribe from one first`;
        this.rejectRequest(kind, action, requestError('SUBSCRIPTION_LIMIT', limit));
        return;
      }
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
  private handleMany(kind: string, action: TopicAction, requested: readonly TopicOutcome[]): void {
    const outcomes = action === 'subscribe' ? this.withinSubscriptionLimit(this.withinScope(requested)) : requested;
    for (const outcome of outcomes) if (!outcome.ok) this.context.emit({ type: 'message_rejected', code: outcome.error.code });
    const opened = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.topic] : []));
    const results = outcomes.map((outcome) => (outcome.ok ? this.resultOf(action, outcome.topic) : refusalOf(outcome)));
    const summary =
      action === 'subscribe'
        ? `Subscribed to ${opened.length} of ${results.length} topics`
        : `Unsubscribed from ${opened.filter((topic) => this.topics.has(topic.key)).length} of ${results.length} topics`;
    this.reply(topicsResponse(kind, action, results, summary));
    for (const topic of opened) {
      if (action === 'subscribe' && !this.topics.has(topic.key)) this.join(topic);
      if (action === 'unsubscribe' && this.topics.has(topic.key)) this.release(topic.key);
    }
    if (action !== 'subscribe') return;
    for (const outcome of outcomes) {
      if (!outcome.ok && outcome.rejection) this.context.fanout.notify(this, kind, outcome.rejection.key, outcome.rejection.value);
    }
  }

  /** Refuses, with FORBIDDEN_TOPIC, each topic the connection's token does not allow. */
  private withinScope(outcomes: readonly TopicOutcome[]): TopicOutcome[] {
    return outcomes.map((outcome) =>
      !outcome.ok || this.auth.allows(outcome.topic.key)
        ? outcome
        : { ok: false, error: forbiddenTopic(outcome.topic.key), fields: outcome.topic.description, key: outcome.topic.key },
    );
  }

  /** Refuses, with SUBSCRIPTION_LIMIT, each topic of a request that would take the connection past its limit. */
  private withinSubscriptionLimit(outcomes: readonly TopicOutcome[]): TopicOutcome[] {
    const { maxSubscriptions } = this.context;
    const adding = new Set<string>();
    return outcomes.map((outcome) => {
      if (!outcome.ok || this.topics.has(outcome.topic.key) || adding.has(outcome.topic.key)) return outcome;
      if (this.topics.size + adding.size < maxSubscriptions) {
        adding.add(outcome.topic.key);
        return outcome;
      }
      const error = requestError('SUBSCRIPTION_LIMIT', `at most ${maxSubscriptions} subscriptions per connection`);
      return { ok: false, error, fields: outcome.topic.description, key: outcome.topic.key };
    });
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
    this.context.fanout.join(topic, this);
    this.context.emit({ type: 'subscription_added', topic: topic.key });
  }

  private respond(kind: string, action: TopicAction, fields: Readonly<Record<string, unknown>>, message: string): void {
    this.reply(topicResponse(kind, action, fields, message));
  }

  private release(key: string): void {
    this.topics.delete(key);
    this.context.fanout.leave(key, this);
    this.outbox.forget(key);
    this.context.emit({ type: 'subscription_removed', topic: key });
  }
}

function forbiddenTopic(key: string): RequestError {
  return requestError('FORBIDDEN_TOPIC', `your token does not allow ${key}`);
}

function refusalOf(outcome: Exclude<TopicOutcome, { ok: true }>): Readonly<Record<string, unknown>> {
  const topic = outcome.key === undefined ? {} : { topic: outcome.key };
  return { status: 'error', ...outcome.fields, ...topic, code: outcome.error.code, message: outcome.error.message };
}
