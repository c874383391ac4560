import {
  defer,
  finalize,
  type Observable,
  ReplaySubject,
  retry,
  type SchedulerLike,
  share,
  takeUntil,
  tap,
  throwError,
  timer,
} from 'rxjs';
import type { Bar } from '../domain/bar.js';
import { requestError, TopicRequestError, type RequestError } from '../domain/errors.js';
import { BARS_KIND } from '../domain/topic.js';
import { backoffDelay } from './backoff.js';
import type { EmitEvent } from './events.js';
import type { AnyTopicKind, TopicContext, TopicFailure, TopicKind, TopicRef } from './topic-kind.js';

export interface HubOptions {
  readonly scheduler: SchedulerLike;
  /** Emits (and should replay) once, when the service shuts down; every topic then completes. */
  readonly shutdown$: Observable<unknown>;
  readonly emit: EmitEvent;
  /** When false, nothing is streamed and every open is refused with BROADCASTER_DISABLED. */
  readonly enabled: boolean;
  /** Restart delays for a topic whose stream errors: base, doubled per attempt, capped. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

/** A validated request for a topic, ready to subscribe to. */
export interface OpenedTopic<T = unknown> {
  readonly kind: string;
  readonly key: string;
  readonly description: Readonly<Record<string, unknown>>;
  readonly stream$: Observable<T>;
}

/** One topic of a multi-topic request: opened, or refused (with what to tell the client). */
export type TopicOutcome<T = unknown> =
  | { readonly ok: true; readonly topic: OpenedTopic<T> }
  | (TopicFailure & { readonly rejection?: { readonly key: string; readonly value: T } });

export type OpenResult<T = unknown> =
  | { readonly ok: true; readonly topic: OpenedTopic<T> }
  | { readonly ok: false; readonly error: RequestError };

/** A client's request: one topic, the topics of a request that names several, or an error. */
export type RequestResult<T = unknown> = OpenResult<T> | { readonly ok: true; readonly topics: readonly TopicOutcome<T>[] };

const KIND_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Hands out one shared stream per topic key. A topic's stream starts with its first
 * subscriber and stops when its last one leaves (refcount), restarts on the next subscribe,
 * recovers from errors with backoff, and completes for everyone on shutdown.
 *
 * Topic kinds are registered, not built in: the transport asks `open(kind, payload)` and
 * never knows what a kind streams.
 */
export class Hub {
  private readonly kinds = new Map<string, AnyTopicKind>();
  private readonly topics = new Map<string, Observable<unknown>>();
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: HubOptions) {
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
  }

  register(kind: AnyTopicKind): this {
    if (!KIND_NAME.test(kind.name)) throw new Error(`Invalid topic kind name: ${JSON.stringify(kind.name)}`);
    if (this.kinds.has(kind.name)) throw new Error(`Topic kind already registered: ${kind.name}`);
    this.kinds.set(kind.name, kind);
    return this;
  }

  hasKind(name: string): boolean {
    return this.kinds.has(name);
  }

  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  /** Validates an untrusted request for one topic of `kindName`. */
  open(kindName: string, payload: unknown): OpenResult {
    const requested = this.request(kindName, payload);
    if (!requested.ok || 'topic' in requested) return requested;
    return { ok: false, error: requestError('INVALID_PAYLOAD', `This ${kindName} request names several topics`) };
  }

  /**
   * Validates an untrusted request for a topic of `kindName`, or, for kinds whose requests
   * name several (`quotes`), for each of them. What the transport calls. A kind that throws
   * while parsing yields INTERNAL_ERROR, not a crash.
   */
  request(kindName: string, payload: unknown): RequestResult {
    const kind = this.kinds.get(kindName);
    if (!kind) return { ok: false, error: requestError('UNKNOWN_TYPE', `Unknown topic kind: ${kindName}`) };
    if (!this.options.enabled) {
      return { ok: false, error: requestError('BROADCASTER_DISABLED', 'The bar broadcaster is disabled') };
    }
    try {
      const parsed = kind.parse(payload);
      if (!parsed.ok) return parsed;
      if ('params' in parsed) return { ok: true, topic: this.openedTopic(kind, parsed.params) };
      return {
        ok: true,
        topics: parsed.requests.map((request) =>
          request.ok ? { ok: true, topic: this.openedTopic(kind, request.params) } : refusedTopic(kind, request),
        ),
      };
    } catch (error) {
      // A bug in an extension's kind: the client gets a clear error, the operator a log line.
      this.options.emit({ type: 'topic_error', topic: kindName, error });
      return { ok: false, error: requestError('INTERNAL_ERROR', `The ${kindName} topic kind failed to read the request`) };
    }
  }

  /** The shared stream of a topic; the same key always yields the same Observable. */
  stream<P, T>(kindOrRef: TopicKind<P, T> | TopicRef<P, T>, params: P): Observable<T> {
    // The registered kind wins, so every user of a key shares the one stream it makes.
    const kind = (this.kinds.get(kindOrRef.name) as TopicKind<P, T> | undefined) ?? ('create' in kindOrRef ? kindOrRef : undefined);
    if (!kind) {
      return throwError(() => new TopicRequestError(requestError('UNKNOWN_TYPE', `Topic kind not registered: ${kindOrRef.name}`)));
    }
    const key = kind.key(params);
    let topic = this.topics.get(key) as Observable<T> | undefined;
    if (!topic) {
      topic = this.sharedTopic(key, (context) => kind.create(params, context));
      this.topics.set(key, topic);
    }
    return topic;
  }

  /** Live bars of `symbol` at `resolution`; errors with a TopicRequestError if not served. */
  bars$(symbol: string, resolution: string): Observable<Bar> {
    const opened = this.open(BARS_KIND, { symbol, params: { resolution } });
    return opened.ok ? (opened.topic.stream$ as Observable<Bar>) : throwError(() => new TopicRequestError(opened.error));
  }

  private openedTopic<P, T>(kind: TopicKind<P, T>, params: P): OpenedTopic<T> {
    const key = kind.key(params);
    // Keys are shared across kinds; one outside the kind's prefix could take another's stream.
    if (!key.startsWith(`${kind.name}:`)) throw new Error(`Topic kind ${kind.name} made a key outside its prefix: ${key}`);
    return { kind: kind.name, key, description: kind.describe(params), stream$: this.stream(kind, params) };
  }

  /**
   * The design of every topic: the kind's cold stream, restarted with backoff if it errors,
   * shared while anyone listens, completed on shutdown.
   *
   * `share` resets on refcount zero so the last unsubscribe tears the interval down (no timer
   * for a topic nobody watches) and the next subscribe starts it afresh. Its connector is a
   * `ReplaySubject(1)`, so a subscriber that joins a running topic gets the current value at
   * once (the snapshot on subscribe); the reset throws that subject away with the stream, so
   * a restarted topic never replays a stale bar.
   * `takeUntil` is last so nothing downstream can resubscribe the source after shutdown.
   */
  private sharedTopic<T>(key: string, create: (context: TopicContext) => Observable<T>): Observable<T> {
    const { emit, scheduler, shutdown$ } = this.options;
    const context: TopicContext = {
      stream: (kind, params) => this.stream(kind, params),
      scheduler,
      shutdown$,
      reportError: (error) => emit({ type: 'topic_error', topic: key, error }),
    };
    return defer(() => {
      emit({ type: 'topic_started', topic: key });
      // defer: a factory that throws is retried like a stream that errors, not thrown at the subscriber.
      return defer(() => create(context)).pipe(
        retry({
          delay: (error: unknown, attempt) => {
            context.reportError(error);
            return timer(backoffDelay(attempt, this.retryBaseMs, this.retryMaxMs), scheduler);
          },
          resetOnSuccess: true,
        }),
        tap(() => emit({ type: 'topic_update', topic: key })),
        finalize(() => emit({ type: 'topic_stopped', topic: key })),
      );
    }).pipe(share({ connector: () => new ReplaySubject<T>(1), resetOnRefCountZero: true, resetOnError: true, resetOnComplete: true }), takeUntil(shutdown$));
  }
}

function refusedTopic(kind: AnyTopicKind, failure: TopicFailure): TopicOutcome {
  const { key } = failure;
  if (key === undefined || !kind.rejection) return failure;
  return { ...failure, rejection: { key, value: kind.rejection({ ...failure, key }) } };
}
