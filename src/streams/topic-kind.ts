import type { Observable, SchedulerLike } from 'rxjs';
import type { RequestError } from '../domain/errors.js';

/** The outcome of validating a subscribe payload: typed parameters, or an error to send back. */
export type ParseResult<P> =
  | { readonly ok: true; readonly params: P }
  | { readonly ok: false; readonly error: RequestError };

/** What a stream factory may use: the hub's other streams, the clock, and shutdown. */
export interface TopicContext {
  /** The shared stream of another topic (refcounted like any subscriber's). */
  stream<P, T>(kind: TopicKind<P, T>, params: P): Observable<T>;
  readonly scheduler: SchedulerLike;
  readonly shutdown$: Observable<unknown>;
  /** Reports a recoverable failure of this topic (counted in metrics and logged). */
  reportError(error: unknown): void;
}

/**
 * A kind of topic clients can subscribe to as `<name>.subscribe`. Registering one with the
 * hub is all it takes: the transport is generic over kinds.
 */
export interface TopicKind<P, T> {
  /** The prefix of its messages and topic keys, e.g. `bars`. Letters, digits, `_` and `-`. */
  readonly name: string;
  /** Validates a subscribe/unsubscribe payload (untrusted JSON) into typed parameters. */
  parse(payload: unknown): ParseResult<P>;
  /** The topic key: equal keys share one stream. */
  key(params: P): string;
  /** Fields echoed in `.response` messages, e.g. `{ symbol, resolution }`. */
  describe(params: P): Readonly<Record<string, unknown>>;
  /** A cold stream of the topic's values; the hub shares it, refcounts it and stops it on shutdown. */
  create(params: P, context: TopicContext): Observable<T>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds kinds of any parameter and value types
export type AnyTopicKind = TopicKind<any, any>;
