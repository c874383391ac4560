import type { Observable, SchedulerLike } from 'rxjs';
import type { RequestError } from '../domain/errors.js';
import type { TopicUpdate } from '../domain/update.js';

/**
 * The outcome of validating a subscribe payload: typed parameters of one topic, the topics of
 * a request that names several (`{"symbols":["AAPL","MSFT"]}`), or an error for the whole request.
 */
export type ParseResult<P> =
  | { readonly ok: true; readonly params: P }
  | { readonly ok: true; readonly requests: readonly TopicRequest<P>[] }
  | { readonly ok: false; readonly error: RequestError };

/** One topic of a request that names several: its parameters, or why it cannot be served. */
export type TopicRequest<P> = { readonly ok: true; readonly params: P } | TopicFailure;

/** A topic of a multi-topic request that cannot be served; the others still are. */
export interface TopicFailure {
  readonly ok: false;
  readonly error: RequestError;
  /** Fields echoed in the response for this topic, e.g. `{ symbol }`. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The key the topic would have, when the request was well-formed enough to name one. */
  readonly key?: string;
}

/**
 * Names a registered kind together with its types, so a stream factory can ask for that kind's
 * topics (`context.stream(BARS_TOPIC, params)`) without holding the registered instance.
 */
export interface TopicRef<P, T> {
  readonly name: string;
  /** Never set: carries `P` and `T` for type inference only. */
  readonly types?: (params: P) => T;
}

export function topicRef<P, T>(name: string): TopicRef<P, T> {
  return { name };
}

/** What a stream factory may use: the hub's other streams, the clock, and shutdown. */
export interface TopicContext {
  /**
   * The shared stream of another topic (refcounted like any subscriber's). `kind` is resolved
   * by name among the registered kinds, so every user of a key shares one stream.
   */
  stream<P, T>(kind: TopicKind<P, T> | TopicRef<P, T>, params: P): Observable<T>;
  /** The same topic as numbered updates (`ts`, `seq`, `epoch`, `final`), for engines that restamp. */
  updates<P, T>(kind: TopicKind<P, T> | TopicRef<P, T>, params: P): Observable<TopicUpdate<T>>;
  readonly scheduler: SchedulerLike;
  readonly shutdown$: Observable<unknown>;
  /** Reports a recoverable failure of this topic (counted in metrics and logged). */
  reportError(error: unknown): void;
}

/**
 * A kind of topic clients can subscribe to as `<name>.subscribe`. Registering one with the
 * hub is all it takes: the transport is generic over kinds. A kind makes its stream one of
 * two ways: `create` (plain values; the hub stamps and numbers them) or `updates` (already
 * stamped, as an engine that numbers at its source does; see bar-source.ts).
 */
export type TopicKind<P, T> = TopicKindRules<P, T> & (CreatesValues<P, T> | CreatesUpdates<P, T>);

/** What every kind has: parsing, keys, descriptions. */
export interface TopicKindRules<P, T> {
  /** The prefix of its messages and topic keys, e.g. `bars`. Letters, digits, `_` and `-`. */
  readonly name: string;
  /** Validates a subscribe/unsubscribe payload (untrusted JSON) into typed parameters. */
  parse(payload: unknown): ParseResult<P>;
  /** The topic key, `<name>:<part>...`: equal keys share one stream. */
  key(params: P): string;
  /** Fields echoed in `.response` messages, e.g. `{ symbol, resolution }`. */
  describe(params: P): Readonly<Record<string, unknown>>;
  /**
   * Optional: a value to send once, as a `<name>.update` of `failure.key`, to a client whose
   * subscribe to that topic failed. For protocols that report per-topic errors in the data
   * (TradingView quotes answer an unknown symbol with `{"s":"error",...}`).
   */
  rejection?(failure: TopicFailure & { readonly key: string }): T;
  /**
   * Optional: what a subscriber that holds the topic up to `since` missed, for a subscribe
   * that resumes. `latest` is the topic's latest live update where it is running, which the
   * subscriber is about to get; the replay ends before it.
   */
  resume?(params: P, since: number, latest: TopicUpdate<T> | undefined): TopicResume<T>;
  /**
   * Optional, for kinds that make `updates`: whether the topic's source promises an update
   * every interval, so a silence means it is stale (the default). Trade-built bars answer
   * false: a symbol nobody trades is quiet, not broken.
   */
  live?(params: P): boolean;
}

/**
 * A resume: the updates to replay (history's closed bars, say) and which live updates they
 * already covered, or that it cannot be served (the client reloads).
 */
export type TopicResume<T> =
  | { readonly recovered: true; readonly updates: readonly TopicUpdate<T>[]; covers(update: TopicUpdate<T>): boolean }
  | { readonly recovered: false };

export interface CreatesValues<P, T> {
  /** A cold stream of the topic's values; the hub shares it, refcounts it and stops it on shutdown. */
  create(params: P, context: TopicContext): Observable<T>;
}

export interface CreatesUpdates<P, T> {
  /** A cold stream of the topic's updates, stamped and numbered at their source. */
  updates(params: P, context: TopicContext): Observable<TopicUpdate<T>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds kinds of any parameter and value types
export type AnyTopicKind = TopicKind<any, any>;
