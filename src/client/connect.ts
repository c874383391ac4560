import { asyncScheduler, BehaviorSubject, distinctUntilChanged, finalize, Observable, type SchedulerLike, share, Subject, takeUntil, type Subscription } from 'rxjs';
import { webSocket, type WebSocketSubject, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import type { Bar } from '../domain/bar.js';
import { TopicRequestError } from '../domain/errors.js';
import { parseResolution } from '../domain/resolution.js';
import { BARS_KIND, topicKey } from '../domain/topic.js';
import { DEFAULT_BACKOFF, reconnectWithBackoff, type BackoffPolicy } from './reconnect-with-backoff.js';
import { readServerMessage } from './server-message.js';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectOptions {
  /** The WebSocket class: the browser's by default; in Node pass `WebSocket` from `ws`. */
  readonly WebSocketCtor?: new (url: string, protocols?: string | string[]) => unknown;
  /** Reconnect backoff; defaults to 500 ms doubling to 30 s, half of it jittered. */
  readonly backoff?: Partial<BackoffPolicy>;
  readonly scheduler?: SchedulerLike;
  /** Source of jitter, [0, 1). */
  readonly random?: () => number;
}

export interface BarcastClient {
  /**
   * Live bars of a topic: the current bar first (the server's snapshot), then every update.
   * The first subscriber sends `bars.subscribe`, the last one leaving `bars.unsubscribe`; after
   * a reconnect the topic is subscribed again. A refused subscribe errors with a
   * `TopicRequestError` carrying the server's code (e.g. UNKNOWN_SYMBOL).
   */
  bars$(symbol: string, resolution?: string): Observable<Bar>;
  /** connecting -> open -> (reconnecting -> open)* -> closed; replays the current status. */
  readonly status$: Observable<ConnectionStatus>;
  /** Closes the socket for good; every topic completes. */
  close(): void;
}

interface WantedTopic {
  readonly key: string;
  readonly payload: { readonly symbol: string; readonly params: { readonly resolution: string } };
  readonly bars: Subject<Bar>;
}

/**
 * Opens one WebSocket to a barcast server (e.g. `ws://localhost:8000/api/v1/ws`) shared by
 * every topic. Requests on one socket are answered in order, so a response is matched to
 * its request by position: `pending` holds the topic key of each request still unanswered.
 */
export function connect(url: string, options: ConnectOptions = {}): BarcastClient {
  const scheduler = options.scheduler ?? asyncScheduler;
  const status = new BehaviorSubject<ConnectionStatus>('connecting');
  const closed$ = new Subject<void>();
  const wanted = new Map<string, WantedTopic>();
  const shared = new Map<string, Observable<Bar>>();
  let pending: (string | undefined)[] = [];

  const config: WebSocketSubjectConfig<unknown> = {
    url,
    openObserver: { next: () => onOpen() },
    closeObserver: { next: () => onDrop() },
    ...(options.WebSocketCtor ? { WebSocketCtor: options.WebSocketCtor as WebSocketSubjectConfig<unknown>['WebSocketCtor'] } : {}),
  };
  const socket: WebSocketSubject<unknown> = webSocket(config);

  const send = (type: 'bars.subscribe' | 'bars.unsubscribe', topic: WantedTopic | undefined, payload: WantedTopic['payload']): void => {
    pending.push(topic?.key);
    socket.next({ type, payload });
  };

  function onOpen(): void {
    pending = [];
    status.next('open');
    for (const topic of wanted.values()) send('bars.subscribe', topic, topic.payload);
  }

  function onDrop(): void {
    pending = [];
    if (status.value !== 'closed') status.next('reconnecting');
  }

  function route(value: unknown): void {
    const message = readServerMessage(value);
    if (message.kind === 'update') {
      wanted.get(message.topic)?.bars.next(message.bar);
    } else if (message.kind === 'response') {
      const key = pending.shift();
      const topic = key === undefined ? undefined : wanted.get(key);
      if (!message.ok && message.action === 'subscribe' && topic) {
        wanted.delete(topic.key);
        topic.bars.error(new TopicRequestError({ code: message.code, message: message.message }));
      }
    }
  }

  const connection: Subscription = socket
    .pipe(
      reconnectWithBackoff({
        policy: { ...DEFAULT_BACKOFF, ...options.backoff },
        scheduler,
        random: options.random ?? Math.random,
        onRetry: () => onDrop(),
      }),
      takeUntil(closed$),
    )
    .subscribe({ next: route });

  function topic$(symbol: string, resolution: string): Observable<Bar> {
    const key = topicKey(BARS_KIND, symbol, parseResolution(resolution) ?? resolution);
    const payload = { symbol, params: { resolution } };
    return new Observable<Bar>((subscriber) => {
      const topic: WantedTopic = { key, payload, bars: new Subject<Bar>() };
      wanted.set(key, topic);
      if (status.value === 'open') send('bars.subscribe', topic, payload);
      const subscription = topic.bars.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        // A topic the server refused is already gone, and a closed socket forgets them all.
        if (wanted.get(key) !== topic) return;
        wanted.delete(key);
        if (status.value === 'open') send('bars.unsubscribe', undefined, payload);
      };
    }).pipe(
      takeUntil(closed$),
      finalize(() => shared.delete(key)),
      share(),
    );
  }

  return {
    bars$(symbol, resolution = '1') {
      const key = topicKey(BARS_KIND, symbol, parseResolution(resolution) ?? resolution);
      let bars = shared.get(key);
      if (!bars) {
        bars = topic$(symbol, resolution);
        shared.set(key, bars);
      }
      return bars;
    },
    status$: status.pipe(distinctUntilChanged()),
    close() {
      if (status.value === 'closed') return;
      status.next('closed');
      closed$.next();
      closed$.complete();
      connection.unsubscribe();
      status.complete();
    },
  };
}
