import type { RawData } from 'ws';
import { closeCodeOf, requestError, type RequestError } from '../../domain/errors.js';
import type { TopicUpdate } from '../../domain/update.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Hub, OpenedTopic, TopicOutcome } from '../../streams/hub.js';
import {
  errorMessage,
  parseClientFrame,
  pongMessage,
  topicErrorResponse,
  topicResponse,
  topicsResponse,
  type ClientMessage,
  type RequestId,
  type TopicAction,
} from './protocol.js';

import type { PublishScope } from '../../domain/publish-scope.js';
import type { Outbox } from './outbox.js';
import type { PeerSocket } from './peer-socket.js';
import type { PreparedFrame } from './prepared-frame.js';
import { fillBucket, takeToken, type RateLimitOptions, type TokenBucket } from './rate-limit.js';
import { hasTopic, topicCount, topicList, withoutTopic, withTopic, type SubscribedTopics } from './subscribed-topics.js';
import type { FrameSink, TopicFanout } from './topic-fanout.js';
import { publishTrades, type TradeIngest } from './trades-publish.js';

/** What a session asks of its connection's access control (connection.ts; auth-session.ts does the work). */
export interface SessionAuth {
  /** Whether the connection's credential may subscribe to the topic `key`. */
  allows(key: string): boolean;
  /** An `auth.*` message from the client. */
  receiveAuth(name: string, payload: unknown, id?: RequestId): void;
  /** The socket has closed: stop any expiry timer. */
  stopAuth(): void;
  /** The symbols the connection's credential may publish trades of; undefined: it may not publish. */
  publishing(): PublishScope | undefined;
}

/** What every session of a gateway shares (one object for all; see connection.ts). */
export interface SessionContext {
  readonly hub: Hub;
  readonly fanout: TopicFanout;
  readonly emit: EmitEvent;
  readonly maxSubscriptions: number;
  readonly rateLimit: RateLimitOptions;
  /** Where `trades.publish` goes; without it (no INGEST_SYMBOLS) the type is unknown. */
  readonly ingest?: TradeIngest;
}

/**
 * The connection a session belongs to (connection.ts): its socket, outbox and access control.
 * The session reaches them through this one field instead of keeping a pointer to each, since
 * every field is 8 bytes that every connection pays.
 */
export interface SessionOwner extends SessionAuth {
  readonly socket: PeerSocket;
  readonly context: SessionContext;
  readonly outbox: Outbox;
}

type TopicMessage = Extract<ClientMessage, { type: 'topic' }>;
type Refusal = Exclude<TopicOutcome, { ok: true }>;

/** One client connection: its subscriptions, and the mapping of its messages to topics. */
export class Session implements FrameSink, TokenBucket {
  /**
   * The rate limiter's bucket (rate-limit.ts), as two fields of the session instead of an
   * object of its own; only `takeToken` changes them.
   */
  tokens = 0;
  updatedAt = 0;
  /** The topics this connection is on: a key, or a Set once there are several (subscribed-topics.ts). */
  private topics: SubscribedTopics;
  /**
   * Topics this client resumed, with what its replay already covered: live updates the replay
   * said already (the bar it ended on, arriving late off the engine) are not sent again.
   * Undefined until a resume, so a session that never resumes pays nothing per update.
   */
  private replayed: Map<string, (update: TopicUpdate<unknown>) => boolean> | undefined;
  /** `trades.publish` batches of this connection not answered yet, and whether its reading is paused for them. */
  private publishesWaiting = 0;
  private readingPaused = false;

  /** `owner`: the connection, whose outbox and access control are this session's protections with the rate limit. */
  constructor(private readonly owner: SessionOwner) {
    fillBucket(this, owner.context.rateLimit);
  }

  private get socket(): PeerSocket {
    return this.owner.socket;
  }

  private get context(): SessionContext {
    return this.owner.context;
  }

  private get outbox(): Outbox {
    return this.owner.outbox;
  }

  /** Token scopes, expiry and auth.* messages (auth-session.ts, through the connection). */
  private get auth(): SessionAuth {
    return this.owner;
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** Topics this connection is on; the fan-out batches the writes of one tick when it is several. */
  get subscriptionCount(): number {
    return topicCount(this.topics);
  }

  /**
   * A topic update from the fan-out, framed once for all sockets (prepared-frame.ts): written
   * straight through while the socket keeps up, held and conflated by the outbox while it
   * lags (a final bar is never conflated away).
   */
  send(frame: PreparedFrame, topic: string, update: TopicUpdate<unknown>): void {
    if (this.replayed !== undefined && this.skipReplayed(topic, update)) return;
    this.outbox.send(frame, topic, update.final === true);
  }

  sendStatus(frame: string): void {
    this.reply(frame);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  receive(data: RawData, isBinary: boolean): void {
    if (!this.socket.isOpen) return;
    const verdict = takeToken(this, this.context.rateLimit);
    if (verdict === 'close') {
      this.context.emit({ type: 'message_rejected', code: 'RATE_LIMITED' });
      this.socket.close(closeCodeOf('RATE_LIMITED'), 'rate limit exceeded');
      return;
    }
    if (verdict === 'reject') {
      this.rejectFrame(requestError('RATE_LIMITED', 'too many messages; slow down and retry'));
      return;
    }
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) {
      this.rejectFrame(parsed.error, parsed.id);
      return;
    }
    const { message } = parsed;
    if (message.type === 'ping') this.reply(pongMessage(message.id));
    else if (message.type === 'auth') this.auth.receiveAuth(message.name, message.payload, message.id);
    else if (message.type === 'publish') this.publish(message.payload, message.id);
    else this.handle(message);
  }

  /** `trades.publish`: answered by trades-publish.ts once the trades are durable. */
  private publish(payload: unknown, id?: RequestId): void {
    const { ingest } = this.context;
    if (!ingest) {
      this.rejectFrame(requestError('UNKNOWN_TYPE', 'unknown message type "trades.publish": this server ingests no trades (INGEST_SYMBOLS)'), id);
      return;
    }
    const { socket } = this;
    const answered = publishTrades(ingest, this.auth.publishing(), payload, id, {
      get isOpen() {
        return socket.isOpen;
      },
      reply: (frame) => this.reply(frame),
      close: (code, reason) => {
        // Counted like an error reply, so /metrics tells this 1013 from a slow consumer's.
        this.context.emit({ type: 'message_rejected', code: 'INGEST_OVERLOADED' });
        socket.close(code, reason);
      },
    });
    if (!answered) return;
    // Past the ingest's bound, a publisher is not read while it has a batch waiting: TCP slows it down.
    this.publishesWaiting += 1;
    if (ingest.pending > ingest.maxPending && !this.readingPaused && socket.pause) {
      this.readingPaused = true;
      socket.pause();
    }
    void answered.then(() => {
      this.publishesWaiting -= 1;
      if (this.publishesWaiting > 0 || !this.readingPaused) return;
      this.readingPaused = false;
      socket.resume?.();
    });
  }

  /** Releases every subscription; called once when the socket closes. */
  close(): void {
    this.auth.stopAuth();
    this.outbox.dispose();
    for (const key of topicList(this.topics)) this.release(key);
  }

  private reply(frame: string): void {
    this.outbox.sendReply(frame);
  }

  /** An error about the frame itself, answered as `{"type":"error"}` (and counted by code). */
  private rejectFrame(error: RequestError, id?: RequestId): void {
    this.context.emit({ type: 'message_rejected', code: error.code });
    this.reply(errorMessage(error, id));
  }

  /**
   * The one request path: a request names one topic or several; each is subscribed or
   * unsubscribed, or refused on its own (bad parameters, the subscription limit). The
   * response goes first (a client learns it is subscribed before its first update), then
   * the replay of a resume, then the subscriptions, then the error value of each refused
   * topic whose kind reports refusals in the data (TradingView quotes do).
   */
  private handle(message: TopicMessage): void {
    const { kind, action, payload, id } = message;
    const requested = this.context.hub.request(kind, payload);
    if (!requested.ok) {
      // A type no registered kind serves is not a request of that type: a frame error.
      if (requested.error.code === 'UNKNOWN_TYPE') this.rejectFrame(requested.error, id);
      else this.rejectRequest(kind, action, id, requested.error);
      return;
    }
    const outcomes = action === 'subscribe' ? this.withinSubscriptionLimit(this.withinScope(requested.topics)) : requested.topics;
    for (const outcome of outcomes) if (!outcome.ok) this.context.emit({ type: 'message_rejected', code: outcome.error.code });
    const opened = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.topic] : []));
    const changing = opened.filter((topic) => hasTopic(this.topics, topic.key) !== (action === 'subscribe'));
    const resume = action === 'subscribe' && !requested.several && message.since !== undefined ? this.resumeOf(changing, message.since) : undefined;
    const results = outcomes.map((outcome) => (outcome.ok ? this.resultOf(action, outcome.topic) : refusalOf(outcome)));
    if (requested.several) {
      const summary = action === 'subscribe' ? `Subscribed to ${opened.length} of ${results.length} topics` : `Unsubscribed from ${changing.length} of ${results.length} topics`;
      this.reply(topicsResponse(kind, action, id, results, summary));
    } else {
      this.reply(topicResponse(kind, action, id, { ...results[0], ...resume?.fields }));
    }
    resume?.send();
    for (const topic of changing) {
      if (action === 'subscribe') this.join(topic);
      else this.release(topic.key);
    }
    if (action !== 'subscribe') return;
    for (const outcome of outcomes) {
      if (!outcome.ok && outcome.rejection) this.context.fanout.notify(this, kind, outcome.rejection.key, outcome.rejection.value);
    }
  }

  /** An error answering a topic request as a whole, as its `.response` with status error. */
  private rejectRequest(kind: string, action: TopicAction, id: RequestId | undefined, error: RequestError): void {
    this.context.emit({ type: 'message_rejected', code: error.code });
    this.reply(topicErrorResponse(kind, action, id, error));
  }

  /** Refuses, with FORBIDDEN_TOPIC, each topic the connection's token does not allow. */
  private withinScope(outcomes: readonly TopicOutcome[]): TopicOutcome[] {
    return outcomes.map((outcome) =>
      !outcome.ok || this.auth.allows(outcome.topic.key)
        ? outcome
        : { ok: false, error: forbiddenTopic(outcome.topic.key), fields: outcome.topic.description, key: outcome.topic.key },
    );
  }

  /** Refuses, with SUBSCRIPTION_LIMIT, each topic that would take the connection past its limit. */
  private withinSubscriptionLimit(outcomes: readonly TopicOutcome[]): TopicOutcome[] {
    const { maxSubscriptions } = this.context;
    const adding = new Set<string>();
    return outcomes.map((outcome) => {
      if (!outcome.ok || hasTopic(this.topics, outcome.topic.key) || adding.has(outcome.topic.key)) return outcome;
      if (topicCount(this.topics) + adding.size < maxSubscriptions) {
        adding.add(outcome.topic.key);
        return outcome;
      }
      const error = requestError('SUBSCRIPTION_LIMIT', `at most ${maxSubscriptions} subscriptions per connection; unsubscribe from one first`);
      return { ok: false, error, fields: outcome.topic.description, key: outcome.topic.key };
    });
  }

  /**
   * A resume of the topic being subscribed: what the response says of it (`recovered`,
   * `replayed`) and the replayed updates to send right after the response, before the live
   * ones. A topic whose kind cannot resume, or a client already subscribed, replays nothing.
   */
  private resumeOf(joining: readonly OpenedTopic[], since: number): { fields: Record<string, unknown>; send(): void } | undefined {
    const [topic] = joining;
    if (!topic?.resume) return undefined;
    const resume = topic.resume(since, this.context.fanout.latest(topic.key));
    if (!resume.recovered) return { fields: { recovered: false }, send: () => undefined };
    return {
      fields: { recovered: true, replayed: resume.updates.length },
      send: () => {
        for (const update of resume.updates) this.context.fanout.notifyUpdate(this, topic.kind, topic.key, update);
        (this.replayed ??= new Map()).set(topic.key, resume.covers);
      },
    };
  }

  private skipReplayed(topic: string, update: TopicUpdate<unknown>): boolean {
    const covers = this.replayed?.get(topic);
    if (!covers) return false;
    if (covers(update)) return true;
    // Live has moved past the replay: nothing more to skip on this topic.
    this.replayed?.delete(topic);
    if (this.replayed?.size === 0) this.replayed = undefined;
    return false;
  }

  private resultOf(action: TopicAction, topic: OpenedTopic): Readonly<Record<string, unknown>> {
    const subscribed = hasTopic(this.topics, topic.key);
    const message =
      action === 'subscribe'
        ? `${subscribed ? 'Already subscribed' : 'Subscribed'} to ${topic.key}`
        : `${subscribed ? 'Unsubscribed from' : 'Was not subscribed to'} ${topic.key}`;
    return { status: 'ok', ...topic.description, topic: topic.key, message };
  }

  private join(topic: OpenedTopic): void {
    this.topics = withTopic(this.topics, topic.key);
    this.context.fanout.join(topic, this);
    this.context.emit({ type: 'subscription_added', topic: topic.key });
  }

  private release(key: string): void {
    this.topics = withoutTopic(this.topics, key);
    this.replayed?.delete(key);
    this.context.fanout.leave(key, this);
    this.outbox.forget(key);
    this.context.emit({ type: 'subscription_removed', topic: key });
  }
}

function forbiddenTopic(key: string): RequestError {
  return requestError('FORBIDDEN_TOPIC', `your token does not allow ${key}`);
}

function refusalOf(outcome: Refusal): Readonly<Record<string, unknown>> {
  const topic = outcome.key === undefined ? {} : { topic: outcome.key };
  return { status: 'error', ...outcome.fields, ...topic, code: outcome.error.code, message: outcome.error.message };
}
