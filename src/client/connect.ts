import {
  asyncScheduler,
  BehaviorSubject,
  defer,
  distinctUntilChanged,
  EMPTY,
  finalize,
  Observable,
  of,
  type SchedulerLike,
  share,
  Subject,
  type Subscriber,
  type Subscription,
  switchMap,
  takeUntil,
  timer,
} from 'rxjs';
import { webSocket, type WebSocketSubject, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import type { Bar } from '../domain/bar.js';
import { type ErrorCode, TopicRequestError } from '../domain/errors.js';
import type { QuoteData } from '../domain/quote.js';
import { barsSubscription } from './bars-subscription.js';
import { bearerProtocols, canRefresh, readToken, type TokenSource } from './bearer-token.js';
import { quotesSubscription } from './quotes-subscription.js';
import { DEFAULT_BACKOFF, reconnectWithBackoff, type BackoffPolicy } from './reconnect-with-backoff.js';
import { type HistoryLoader, httpOriginOf, restHistory } from './rest-history.js';
import { readServerMessage, type RequestId, type ResponseMessage, type ServerMessage } from './server-message.js';
import { barsKey, quotesKey, symbolOf } from './topic-keys.js';
import { IDLE, type TopicState } from './topic-state.js';
import type { OutgoingRequest, TopicSubscription } from './topic-subscription.js';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectOptions {
  /** The WebSocket class: the browser's by default; in Node pass `WebSocket` from `ws`. */
  readonly WebSocketCtor?: new (url: string, protocols?: string | string[]) => unknown;
  /**
   * A bearer token or a provider of one, read on every connect and asked again on
   * `auth.expiring`. Sent as the subprotocol `barcast.bearer.<token>`, never in the URL.
   */
  readonly token?: TokenSource;
  /** Reconnect backoff; defaults to 500 ms doubling to 30 s, fully jittered (each wait anywhere from 0 to that). */
  readonly backoff?: Partial<BackoffPolicy>;
  /** Where gaps the server cannot replay are loaded from; defaults to `GET /api/v1/bars` on the socket's host. */
  readonly loadHistory?: HistoryLoader;
  /** The fetch the default history loader uses. */
  readonly fetch?: typeof fetch;
  /** Bars per history request when reloading a gap: at most the server's HISTORY_MAX_BARS (default 1000). */
  readonly historyChunkBars?: number;
  /** The longest gap reloaded from history, in bars (default 100 000); a longer one is reported as lost. */
  readonly maxReloadBars?: number;
  readonly scheduler?: SchedulerLike;
  /** Source of jitter, [0, 1). */
  readonly random?: () => number;
}

export interface BarsOptions {
  /**
   * Time of the last bar you already hold with final values (e.g. the second newest bar of
   * a history response): the server replays every bar closed after it, so nothing falls
   * between your history and the live stream. Applies when the topic is first subscribed.
   */
  readonly since?: number;
}

export interface BarcastClient {
  /**
   * Bars of a topic, oldest first: a bar with the `time` of the previous one replaces it, a
   * later one starts a new bar. Exact across reconnects: the client resumes from the last
   * final bar it holds, so no bar is missing and none keeps stale values. The first
   * subscriber sends `bars.subscribe`, the last one leaving `bars.unsubscribe`. A refused
   * subscribe errors with a `TopicRequestError` carrying the server's code (e.g. UNKNOWN_SYMBOL).
   */
  bars$(symbol: string, resolution?: string, options?: BarsOptions): Observable<Bar>;
  /** The topic's state (live, resuming, reloading a gap, stale); replays the current one. */
  state$(symbol: string, resolution?: string): Observable<TopicState>;
  /** Quotes of one symbol (`quotes:SYMBOL`), in TradingView's `QuoteData` shape. */
  quotes$(symbol: string): Observable<QuoteData>;
  /** connecting -> open -> (reconnecting -> open)* -> closed; replays the current status. */
  readonly status$: Observable<ConnectionStatus>;
  /** Closes the socket for good; every topic completes. */
  close(): void;
}

interface PendingRequest {
  readonly topic?: TopicSubscription;
  /** The connection it was sent on: an answer to an older one is void. */
  readonly generation: number;
}

/** A refused request the server asks to slow down for is sent again this much later. */
export const RATE_LIMITED_RETRY_MS = 1_000;

/**
 * Opens one WebSocket to a barcast server (e.g. `ws://localhost:8000/api/v1/ws`) shared by
 * every topic. Each request carries an id that its response echoes; a server that does not
 * echo ids answers in order, so an answer without one is matched to the oldest request.
 */
export function connect(url: string, options: ConnectOptions = {}): BarcastClient {
  const scheduler = options.scheduler ?? asyncScheduler;
  const loadHistory = options.loadHistory ?? restHistory(httpOriginOf(url), { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.token ? { token: options.token } : {}) });
  const status = new BehaviorSubject<ConnectionStatus>('connecting');
  const closed$ = new Subject<void>();
  /** Topics by the client's key; `aliases` maps the server's key (from a response) to it. */
  const wanted = new Map<string, TopicSubscription>();
  const aliases = new Map<string, string>();
  const states = new Map<string, BehaviorSubject<TopicState>>();
  const shared = new Map<string, Observable<never>>();
  const pending = new Map<RequestId, PendingRequest>();
  let nextId = 1;
  let generation = 0;
  let socket: WebSocketSubject<unknown> | undefined;

  const send = (request: OutgoingRequest, topic?: TopicSubscription): void => {
    const id = nextId++;
    pending.set(id, { generation, ...(topic ? { topic } : {}) });
    socket?.next({ ...request, id });
  };
  const isWanted = (topic: TopicSubscription): boolean => wanted.get(topic.key) === topic;
  const topicOn = (serverKey: string): TopicSubscription | undefined => wanted.get(aliases.get(serverKey) ?? serverKey);

  function onOpen(): void {
    pending.clear();
    status.next('open');
    for (const topic of wanted.values()) send(topic.subscribeRequest(), topic);
  }

  function onDrop(): void {
    if (status.value === 'closed') return;
    generation += 1;
    pending.clear();
    for (const topic of wanted.values()) topic.dropped();
    status.next('reconnecting');
  }

  function route(message: ServerMessage): void {
    switch (message.kind) {
      case 'update':
        return topicOn(message.topic)?.update(message);
      case 'status':
        return topicOn(message.topic)?.status(message.stale);
      case 'response':
      case 'error':
        return answer(message);
      case 'expiring':
        return refreshToken();
      default:
        return undefined;
    }
  }

  function answer(message: ResponseMessage | Extract<ServerMessage, { kind: 'error' }>): void {
    const id = message.id ?? pending.keys().next().value;
    const request = id === undefined ? undefined : pending.get(id);
    if (id === undefined || !request) return;
    pending.delete(id);
    const { topic } = request;
    if (!topic || !isWanted(topic)) return;
    // One topic per request, so a multi-topic response (quotes) holds just ours.
    if (message.kind === 'error') return refuse(topic, request, message.code, message.message);
    const refusal = message.ok ? message.topics?.find((result) => !result.ok) : message;
    if (refusal) return refuse(topic, request, refusal.code, refusal.message);
    if (message.topic) aliases.set(message.topic, topic.key);
    topic.subscribed(message);
  }

  function refuse(topic: TopicSubscription, request: PendingRequest, code: ErrorCode, message: string): void {
    if (code === 'RATE_LIMITED') {
      // Many topics resubscribed at once can outrun the server's rate limit: ask again later.
      timer(RATE_LIMITED_RETRY_MS, scheduler)
        .pipe(takeUntil(closed$))
        .subscribe(() => {
          if (isWanted(topic) && generation === request.generation && status.value === 'open') send(topic.subscribeRequest(), topic);
        });
      return;
    }
    forget(topic);
    topic.refused(new TopicRequestError({ code, message }));
  }

  function forget(topic: TopicSubscription): void {
    wanted.delete(topic.key);
    for (const [serverKey, key] of aliases) if (key === topic.key) aliases.delete(serverKey);
  }

  /** A token that expires soon is replaced in-band; the subscriptions stay as they are. */
  function refreshToken(): void {
    if (!canRefresh(options.token)) return;
    readToken(options.token)
      .pipe(takeUntil(closed$))
      .subscribe({
        next: (token) => {
          if (token) send({ type: 'auth.refresh', payload: { token } });
        },
        // The server closes with 4001 at expiry and the reconnect asks the provider again.
        error: () => undefined,
      });
  }

  const connection: Subscription = defer(() => readToken(options.token))
    .pipe(
      switchMap((token) => {
        const config: WebSocketSubjectConfig<unknown> = {
          url,
          protocol: bearerProtocols(token),
          openObserver: { next: () => onOpen() },
          closeObserver: { next: () => onDrop() },
          ...(options.WebSocketCtor ? { WebSocketCtor: options.WebSocketCtor as WebSocketSubjectConfig<unknown>['WebSocketCtor'] } : {}),
        };
        socket = webSocket(config);
        return socket;
      }),
      reconnectWithBackoff({
        policy: { ...DEFAULT_BACKOFF, ...options.backoff },
        scheduler,
        random: options.random ?? Math.random,
        onRetry: () => onDrop(),
      }),
      takeUntil(closed$),
    )
    .subscribe({ next: (value) => route(readServerMessage(value)) });

  function stateOf(key: string): BehaviorSubject<TopicState> {
    let state = states.get(key);
    if (!state) {
      state = new BehaviorSubject<TopicState>(IDLE);
      states.set(key, state);
    }
    return state;
  }

  /** Keeps `topic` subscribed while `subscriber` follows `values`. */
  function follow<T>(topic: TopicSubscription, values: Observable<T>, subscriber: Subscriber<T>): () => void {
    const subscription = values.subscribe(subscriber);
    wanted.set(topic.key, topic);
    if (status.value === 'open') send(topic.subscribeRequest(), topic);
    return () => {
      subscription.unsubscribe();
      const stillWanted = isWanted(topic);
      if (stillWanted) forget(topic);
      topic.ended();
      if (stillWanted && status.value === 'open') send(topic.unsubscribeRequest());
    };
  }

  /** One shared stream per topic key, released when its last subscriber leaves or the client closes. */
  function sharedTopic<T>(key: string, create: () => Observable<T>): Observable<T> {
    if (status.value === 'closed') return EMPTY;
    let topic$ = shared.get(key) as Observable<T> | undefined;
    if (!topic$) {
      topic$ = create().pipe(
        takeUntil(closed$),
        finalize(() => shared.delete(key)),
        share(),
      );
      shared.set(key, topic$ as Observable<never>);
    }
    return topic$;
  }

  return {
    bars$(symbol, resolution = '1', barsOptions = {}) {
      const key = barsKey(symbol, resolution);
      return sharedTopic(
        key,
        () =>
          new Observable<Bar>((subscriber) => {
            const topic = barsSubscription({
              key,
              symbol: symbolOf(symbol),
              resolution,
              loadHistory,
              state: stateOf(key),
              ...(options.historyChunkBars === undefined ? {} : { historyChunkBars: options.historyChunkBars }),
              ...(options.maxReloadBars === undefined ? {} : { maxReloadBars: options.maxReloadBars }),
              ...(barsOptions.since === undefined ? {} : { since: barsOptions.since }),
            });
            return follow(topic, topic.bars, subscriber);
          }),
      );
    },
    state$(symbol, resolution = '1') {
      if (status.value === 'closed') return of(IDLE);
      return stateOf(barsKey(symbol, resolution)).pipe(distinctUntilChanged());
    },
    quotes$(symbol) {
      const key = quotesKey(symbol);
      return sharedTopic(
        key,
        () =>
          new Observable<QuoteData>((subscriber) => {
            const topic = quotesSubscription(key, symbolOf(symbol));
            return follow(topic, topic.quotes, subscriber);
          }),
      );
    },
    status$: status.pipe(distinctUntilChanged()),
    close() {
      if (status.value === 'closed') return;
      status.next('closed');
      closed$.next();
      closed$.complete();
      connection.unsubscribe();
      status.complete();
      for (const state of states.values()) state.complete();
    },
  };
}
