import {
  defer,
  finalize,
  map,
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
import type { TopicUpdate } from '../domain/update.js';
import { backoffDelay } from '../domain/backoff.js';
import { defaultEpochs } from './epochs.js';
import type { EmitEvent } from './events.js';
import { numberUpdates } from './operators/number-updates.js';
import type { AnyTopicKind, TopicContext, TopicFailure, TopicKind, TopicRef, TopicResume } from './topic-kind.js';

export interface HubOptions {
  readonly scheduler: SchedulerLike;
  /** Emits (and should replay) once, when the service shuts down; every topic then completes. */
  readonly shutdown$: Observable<unknown>;
  readonly emit: EmitEvent;
  /** When false, nothing is streamed and every request is refused with BROADCASTER_DISABLED. */
  readonly enabled: boolean;
  /** Restart delays for a topic whose stream errors: base, doubled per attempt, capped. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Names a new numbering of a topic (see numberUpdates); unique per process by default. */
  readonly newEpoch?: () => string;
}

/** A validated request for a topic, ready to subscribe to. */
export interface OpenedTopic<T = unknown> {
  readonly kind: string;
  readonly key: string;
  readonly description: Readonly<Record<string, unknown>>;
  /** The topic's values, shared (what derived topics and embedders compose). */
  readonly stream$: Observable<T>;
  /** The same stream as numbered updates (what the fan-out sends). */
  readonly updates$: Observable<TopicUpdate<T>>;
  /** Fed by an engine that promises an update every interval (bars): watched for staleness. */
  readonly live: boolean;
  /** For kinds that can resume: what a subscriber holding the topic up to `since` missed. */
  readonly resume?: (since: number, latest: TopicUpdate<T> | undefined) => TopicResume<T>;
}

/** One topic of a request: opened, or refused (with what to tell the client). */
export type TopicOutcome<T = unknown> =
  | { readonly ok: true; readonly topic: OpenedTopic<T> }
  | (TopicFailure & { readonly rejection?: { readonly key: string; readonly value: T } });

/**
 * A client's request, validated: the topics it names, or why it is refused as a whole.
 * `several` says whether the request named a list (`{"symbols":[...]}`) or one topic, which
 * decides the shape of its response.
 */
export type RequestResult<T = unknown> =
  | { readonly ok: true; readonly several: boolean; readonly topics: readonly TopicOutcome<T>[] }
  | { readonly ok: false; readonly error: RequestError };

const KIND_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

interface SharedTopic {
  /**
   * The key as first made: every OpenedTopic of the topic carries this one string, so the
   * sessions that keep a topic's key share it instead of each keeping the copy its request made.
   */
  readonly key: string;
  readonly updates$: Observable<TopicUpdate<unknown>>;
  readonly stream$: Observable<unknown>;
}

/**
 * Hands out one shared stream per topic key. A topic's stream starts with its first
 * subscriber and stops when its last one leaves (refcount), restarts on the next subscribe,
 * recovers from errors with backoff, and completes for everyone on shutdown.
 *
 * Topic kinds are registered, not built in: the transport asks `request(kind, payload)` and
 * never knows what a kind streams.
 */
export class Hub {
  private readonly kinds = new Map<string, AnyTopicKind>();
  private readonly topics = new Map<string, SharedTopic>();
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly newEpoch: () => string;

  constructor(private readonly options: HubOptions) {
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.newEpoch = options.newEpoch ?? defaultEpochs(options.scheduler);
  }

  register(kind: AnyTopicKind): this {
    if (!KIND_NAME.test(kind.name)) throw new Error(`Invalid topic kind name: ${JSON.stringify(kind.name)}`);
    if (this.kinds.has(kind.name)) throw new Error(`Topic kind already registered: ${kind.name}`);
    this.kinds.set(kind.name, kind);
    return this;
  }

  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  /**
   * Validates an untrusted request for `kindName`: one topic, or each topic of a request that
   * names several (`quotes`). The one request path: the transport and embedders call it. An
   * unregistered kind is UNKNOWN_TYPE; a kind that throws while parsing yields
   * INTERNAL_ERROR, not a crash.
   */
  request(kindName: string, payload: unknown): RequestResult {
    const kind = this.kinds.get(kindName);
    if (!kind) return { ok: false, error: requestError('UNKNOWN_TYPE', `unknown message type: no topic kind "${kindName.slice(0, 32)}"`) };
    if (!this.options.enabled) return { ok: false, error: requestError('BROADCASTER_DISABLED') };
    try {
      const parsed = kind.parse(payload);
      if (!parsed.ok) return parsed;
      if ('params' in parsed) return { ok: true, several: false, topics: [{ ok: true, topic: this.openedTopic(kind, parsed.params) }] };
      const topics = parsed.requests.map((request): TopicOutcome =>
        request.ok ? { ok: true, topic: this.openedTopic(kind, request.params) } : refusedTopic(kind, request),
      );
      return { ok: true, several: true, topics };
    } catch (error) {
      // A bug in an extension's kind: the client gets a clear error, the operator a log line.
      this.options.emit({ type: 'topic_error', topic: kindName, error });
      return { ok: false, error: requestError('INTERNAL_ERROR', `The ${kindName} topic kind failed to read the request`) };
    }
  }

  /** The shared stream of a topic; the same key always yields the same Observable. */
  stream<P, T>(kindOrRef: TopicKind<P, T> | TopicRef<P, T>, params: P): Observable<T> {
    const shared = this.shared(kindOrRef, params);
    return shared ? (shared.stream$ as Observable<T>) : notRegistered(kindOrRef.name);
  }

  /** The shared stream of a topic as numbered updates. */
  updates<P, T>(kindOrRef: TopicKind<P, T> | TopicRef<P, T>, params: P): Observable<TopicUpdate<T>> {
    const shared = this.shared(kindOrRef, params);
    return shared ? (shared.updates$ as Observable<TopicUpdate<T>>) : notRegistered(kindOrRef.name);
  }

  /** Live bars of `symbol` at `resolution`; errors with a TopicRequestError if not served. */
  bars$(symbol: string, resolution: string): Observable<Bar> {
    const requested = this.request(BARS_KIND, { symbol, params: { resolution } });
    if (!requested.ok) return throwError(() => new TopicRequestError(requested.error));
    const [outcome] = requested.topics;
    if (!outcome?.ok) return throwError(() => new TopicRequestError(outcome?.error ?? requestError('INVALID_PAYLOAD')));
    return outcome.topic.stream$ as Observable<Bar>;
  }

  private shared<P, T>(kindOrRef: TopicKind<P, T> | TopicRef<P, T>, params: P): SharedTopic | undefined {
    // The registered kind wins, so every user of a key shares the one stream it makes.
    const kind = (this.kinds.get(kindOrRef.name) as TopicKind<P, T> | undefined) ?? ('parse' in kindOrRef ? kindOrRef : undefined);
    if (!kind) return undefined;
    const key = kind.key(params);
    let topic = this.topics.get(key);
    if (!topic) {
      const updates$ = this.sharedTopic(key, (context) =>
        'updates' in kind
          ? kind.updates(params, context)
          : kind.create(params, context).pipe(
              map((value): TopicUpdate<T> => ({ value, ts: this.options.scheduler.now() })),
              numberUpdates(this.newEpoch),
            ),
      );
      topic = { key, updates$, stream$: updates$.pipe(map((update) => update.value)) };
      this.topics.set(key, topic);
    }
    return topic;
  }

  private openedTopic<P, T>(kind: TopicKind<P, T>, params: P): OpenedTopic<T> {
    const key = kind.key(params);
    // Keys are shared across kinds; one outside the kind's prefix could take another's stream.
    if (!key.startsWith(`${kind.name}:`)) throw new Error(`Topic kind ${kind.name} made a key outside its prefix: ${key}`);
    const shared = this.shared(kind, params) as SharedTopic;
    const { resume } = kind;
    return {
      kind: kind.name,
      key: shared.key,
      description: kind.describe(params),
      live: 'updates' in kind && (kind.live?.(params) ?? true),
      stream$: shared.stream$ as Observable<T>,
      updates$: shared.updates$ as Observable<TopicUpdate<T>>,
      ...(resume ? { resume: (since: number, latest: TopicUpdate<T> | undefined) => resume.call(kind, params, since, latest) } : {}),
    };
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
  private sharedTopic<T>(key: string, create: (context: TopicContext) => Observable<TopicUpdate<T>>): Observable<TopicUpdate<T>> {
    const { emit, scheduler, shutdown$ } = this.options;
    const context: TopicContext = {
      stream: (kind, params) => this.stream(kind, params),
      updates: (kind, params) => this.updates(kind, params),
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
    }).pipe(
      share({ connector: () => new ReplaySubject<TopicUpdate<T>>(1), resetOnRefCountZero: true, resetOnError: true, resetOnComplete: true }),
      takeUntil(shutdown$),
    );
  }
}

function notRegistered(name: string): Observable<never> {
  return throwError(() => new TopicRequestError(requestError('UNKNOWN_TYPE', `Topic kind not registered: ${name}`)));
}

function refusedTopic(kind: AnyTopicKind, failure: TopicFailure): TopicOutcome {
  const { key } = failure;
  if (key === undefined || !kind.rejection) return failure;
  return { ...failure, rejection: { key, value: kind.rejection({ ...failure, key }) } };
}
