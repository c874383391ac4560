import { Observable, ReplaySubject } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { Resolution } from '../domain/resolution.js';
import type { BarGenerator } from '../streams/bar-stream.js';
import { memoryEngine } from '../engines/memory/memory-engine.js';
import { barsTopicKind } from '../streams/bars-topic.js';
import { defaultEpochs } from '../streams/epochs.js';
import type { BroadcastEventBody } from '../streams/events.js';
import { Hub } from '../streams/hub.js';
import { quotesTopicKind } from '../streams/quotes-topic.js';
import { seriesHistory } from '../streams/series-history.js';
import type { AnyTopicKind, TopicKind, TopicRef } from '../streams/topic-kind.js';
import { wrappedKind } from './wrapped-kind.js';
import { requestTopics, type RequestedTopic, type RequestedTopics } from './hub-requests.js';

export interface TestHubOptions {
  /** Usually a `marbleScheduler(...)`; the hub's clock, timers and shutdown run on it. */
  readonly scheduler: TestScheduler;
  /** Your kinds, registered after the built-in ones; a kind named `bars` or `quotes` replaces the built-in. */
  readonly topicKinds?: readonly AnyTopicKind[];
  /** The built-in kinds' catalog and mock market (the service's defaults otherwise). */
  readonly symbols?: readonly string[];
  readonly resolutions?: readonly Resolution[];
  readonly seed?: number;
  /** How often a bars topic reads the clock, virtual ms. */
  readonly periodMs?: number;
  /** Replaces the bar generator of the built-in bars kind (to count calls or inject failures). */
  readonly generate?: BarGenerator;
  /** When false, every request is refused with BROADCASTER_DISABLED, as with BAR_BROADCASTER_ENABLED=false. */
  readonly enabled?: boolean;
  /** Restart delays of a failing topic, virtual ms: base, doubled per attempt, capped. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Names each new numbering of a topic (`epoch` of its updates); `test<time><n>` by default, so marbles stay exact. */
  readonly newEpoch?: () => string;
  /** What ends every topic; by default the hub's own, fired by `shutdown()` / `shutdownAt()`. */
  readonly shutdown$?: Observable<unknown>;
}

export const TEST_HUB_DEFAULTS = {
  symbols: ['AAPL', 'GOOGL', 'MSFT'],
  resolutions: ['1'] as readonly Resolution[],
  seed: 42,
  periodMs: 2_000,
  /** The most bars a resume replays (HISTORY_MAX_BARS's default). */
  historyMaxBars: 5_000,
} as const;

type SourceProbe = ReturnType<TestScheduler['createColdObservable']>;

/** A hub event, with the virtual frame it happened at. */
export type TestHubEvent = BroadcastEventBody & { readonly frame: number };

/** A subscription of a topic's source: from `subscribedFrame` to `unsubscribedFrame` (Infinity while open). */
export interface SourceSubscription {
  readonly subscribedFrame: number;
  readonly unsubscribedFrame: number;
}

export interface TestHub {
  readonly hub: Hub;
  readonly scheduler: TestScheduler;
  /** Everything the hub reported (topic_started, topic_stopped, topic_update, topic_error), in order. */
  readonly events: readonly TestHubEvent[];
  /** The one topic a `<kind>.subscribe` payload names; throws with the refusal's code if it is refused. */
  topic<T = unknown>(kind: string, payload: unknown): RequestedTopic<T>;
  /** A `<kind>.subscribe` payload as the transport asks for it: every topic it names, or its error. */
  request<T = unknown>(kind: string, payload: unknown): RequestedTopics<T>;
  /** The shared stream of a topic by kind and typed params, as a stream factory gets it. */
  stream<P, T>(kind: TopicKind<P, T> | TopicRef<P, T>, params: P): Observable<T>;
  /**
   * The subscriptions of topic `key`'s source, i.e. each start-to-stop of the shared topic,
   * for `expectSubscriptions(testHub.subscriptions('bars:AAPL:1')).toBe('^ 30ms !')`.
   * One entry however many subscribers share the topic; a restart adds one.
   */
  subscriptions(key: string): SourceSubscription[];
  /** The keys of every topic started so far. */
  startedKeys(): string[];
  /** Shuts the hub down now: every topic completes. */
  shutdown(): void;
  /** Schedules the shutdown at virtual frame `frame`. */
  shutdownAt(frame: number): void;
}

/**
 * A hub on a TestScheduler with the built-in kinds (`bars`, `quotes`) and yours, wired as the
 * app wires it, that records the subscriptions of every topic's source and every event, so a
 * kind's whole life is written as marbles.
 */
export function createTestHub(options: TestHubOptions): TestHub {
  const { scheduler } = options;
  const events: TestHubEvent[] = [];
  const probes = new Map<string, SourceProbe>();
  const probe = (key: string): SourceProbe => {
    let found = probes.get(key);
    if (!found) {
      // A cold observable that never emits, subscribed alongside the source: its log (kept by
      // the scheduler's own machinery) is the source's, in the form expectSubscriptions compares.
      found = scheduler.createColdObservable('');
      probes.set(key, found);
    }
    return found;
  };
  const ownShutdown$ = new ReplaySubject<void>(1);
  const newEpoch = options.newEpoch ?? defaultEpochs(scheduler, 'test');
  const hub = new Hub({
    newEpoch,
    scheduler,
    shutdown$: options.shutdown$ ?? ownShutdown$,
    emit: (event) => events.push({ ...event, frame: scheduler.now() }),
    enabled: options.enabled ?? true,
    ...(options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs }),
    ...(options.retryMaxMs === undefined ? {} : { retryMaxMs: options.retryMaxMs }),
  });
  const extra = options.topicKinds ?? [];
  for (const kind of [...builtInKinds(options, newEpoch).filter((builtIn) => !extra.some((kind) => kind.name === builtIn.name)), ...extra]) {
    hub.register(withSourceLog(kind, probe));
  }

  return {
    hub,
    scheduler,
    events,
    topic<T>(kind: string, payload: unknown): RequestedTopic<T> {
      const requested = requestTopics<T>(hub, kind, payload);
      if (!requested.ok) throw new Error(`${kind}.subscribe ${JSON.stringify(payload)} was refused: ${requested.error.code} ${requested.error.message}`);
      const [first, ...others] = requested.topics;
      if (!first || others.length > 0) throw new Error(`${kind}.subscribe ${JSON.stringify(payload)} names ${requested.topics.length} topics, not one: use request()`);
      if (!first.ok) throw new Error(`${kind}.subscribe ${JSON.stringify(payload)} was refused: ${first.error.code} ${first.error.message}`);
      return first.topic;
    },
    request: (kind, payload) => requestTopics(hub, kind, payload),
    stream: (kind, params) => hub.stream(kind, params),
    subscriptions: (key) => probe(key).subscriptions,
    startedKeys: () => [...new Set(events.filter((event) => event.type === 'topic_started').map((event) => (event as { topic: string }).topic))],
    shutdown() {
      ownShutdown$.next();
      ownShutdown$.complete();
    },
    shutdownAt(frame) {
      scheduler.schedule(() => this.shutdown(), Math.max(0, frame - scheduler.now()));
    },
  };
}

/** The kinds the app registers before any of yours, on the same mock market (the in-process engine, as standalone runs it). */
function builtInKinds(options: TestHubOptions, newEpoch: () => string): AnyTopicKind[] {
  const catalog = {
    symbols: [...(options.symbols ?? TEST_HUB_DEFAULTS.symbols)],
    resolutions: [...(options.resolutions ?? TEST_HUB_DEFAULTS.resolutions)],
  };
  const seed = options.seed ?? TEST_HUB_DEFAULTS.seed;
  const history = seriesHistory(seed);
  const engine = memoryEngine({
    seed,
    periodMs: options.periodMs ?? TEST_HUB_DEFAULTS.periodMs,
    newEpoch,
    ...(options.generate ? { generate: options.generate } : {}),
  });
  return [
    barsTopicKind({ catalog, engine, resume: { history, maxBars: TEST_HUB_DEFAULTS.historyMaxBars, now: () => options.scheduler.now() } }),
    quotesTopicKind(catalog, history),
  ];
}

/** `kind`, its source subscribed together with the probe of its key. */
function withSourceLog(kind: AnyTopicKind, probe: (key: string) => Observable<unknown>): AnyTopicKind {
  return wrappedKind(kind, (params, _context, source$) => {
    const log$ = probe(kind.key(params));
    return new Observable((subscriber) => {
      const logged = log$.subscribe();
      const subscription = source$.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        logged.unsubscribe();
      };
    });
  });
}
