import { BehaviorSubject, type Observable, type OperatorFunction, scan, type SchedulerLike, type Subscription } from 'rxjs';
import type { ErrorCode } from '../domain/errors.js';
import type { AuthCloseReason, BroadcastEvent, LeaseChange } from './events.js';

/** The fold of every event so far. Immutable: each event yields a new state. */
export interface MetricsState {
  readonly running: boolean;
  readonly updatesGenerated: number;
  readonly broadcastsSent: number;
  readonly messagesSent: number;
  readonly errors: number;
  readonly clients: number;
  readonly subscriptions: number;
  readonly activeTopics: ReadonlySet<string>;
  /** Per configured topic: idle time folded so far, and since when it is idle (if it is). */
  readonly idle: ReadonlyMap<string, TopicIdleness>;
  readonly connectionsRefused: number;
  readonly messagesRejected: Readonly<Partial<Record<ErrorCode, number>>>;
  readonly slowConsumersClosed: number;
  readonly updatesConflated: number;
  readonly deadPeersTerminated: number;
  // Counted here but not in the JSON snapshot (whose fields are fixed); /metrics shows them.
  /** `connectionsRefused` by HTTP status; the values sum to it. */
  readonly connectionsRefusedByStatus: Readonly<Record<number, number>>;
  readonly connectionsClosedByAuth: Readonly<Record<AuthCloseReason, number>>;
  readonly tokenRefreshes: { readonly ok: number; readonly failed: number };
  readonly leaseChanges: Readonly<Record<LeaseChange, number>>;
  /** Published trades answered, by outcome (`accepted`, `duplicate`, an error code). */
  readonly tradeOutcomes: Readonly<Record<string, number>>;
}

export interface TopicIdleness {
  readonly idleMs: number;
  readonly idleSince: number | undefined;
}

export interface MetricsSettings {
  readonly enabled: boolean;
  readonly intervalSeconds: number;
  readonly symbols: readonly string[];
  readonly resolutions: readonly string[];
  /** The topics a polling loop would poll: idle intervals of these count as skipped. */
  readonly configuredTopics: readonly string[];
}

/** The shape served at GET /api/v1/broadcaster/metrics. Field names are part of the API. */
export interface MetricsSnapshot {
  readonly is_running: boolean;
  readonly interval: number;
  readonly symbols: readonly string[];
  readonly resolutions: readonly string[];
  readonly broadcasts_sent: number;
  readonly broadcasts_skipped: number;
  readonly messages_sent: number;
  readonly updates_generated: number;
  readonly errors: number;
  readonly active_topics: number;
  readonly topics: readonly string[];
  readonly clients: number;
  readonly subscriptions: number;
  readonly connections_refused: number;
  /** Error replies sent to clients, by error code. */
  readonly messages_rejected: Readonly<Partial<Record<ErrorCode, number>>>;
  readonly slow_consumers_closed: number;
  readonly updates_conflated: number;
  readonly dead_peers_terminated: number;
}

export function initialMetricsState(): MetricsState {
  return {
    running: false,
    updatesGenerated: 0,
    broadcastsSent: 0,
    messagesSent: 0,
    errors: 0,
    clients: 0,
    subscriptions: 0,
    activeTopics: new Set(),
    idle: new Map(),
    connectionsRefused: 0,
    messagesRejected: {},
    slowConsumersClosed: 0,
    updatesConflated: 0,
    deadPeersTerminated: 0,
    connectionsRefusedByStatus: {},
    connectionsClosedByAuth: { expired: 0, revoked: 0 },
    tokenRefreshes: { ok: 0, failed: 0 },
    leaseChanges: { acquired: 0, lost: 0 },
    tradeOutcomes: {},
  };
}

export function reduceMetrics(configuredTopics: readonly string[]): (state: MetricsState, event: BroadcastEvent) => MetricsState {
  const configured = new Set(configuredTopics);
  return (state, event) => {
    switch (event.type) {
      case 'broadcaster_started':
        return {
          ...state,
          running: true,
          idle: new Map(
            configuredTopics.map((topic) => [
              topic,
              { idleMs: 0, idleSince: state.activeTopics.has(topic) ? undefined : event.at },
            ]),
          ),
        };
      case 'broadcaster_stopped':
        return { ...state, running: false, idle: closeIdleSpans(state.idle, event.at) };
      case 'topic_started':
        return {
          ...state,
          activeTopics: new Set(state.activeTopics).add(event.topic),
          idle: configured.has(event.topic) ? endIdle(state.idle, event.topic, event.at) : state.idle,
        };
      case 'topic_stopped': {
        const activeTopics = new Set(state.activeTopics);
        activeTopics.delete(event.topic);
        const idle = state.running && configured.has(event.topic) ? beginIdle(state.idle, event.topic, event.at) : state.idle;
        return { ...state, activeTopics, idle };
      }
      case 'topic_update':
        return { ...state, updatesGenerated: state.updatesGenerated + 1 };
      case 'topic_error':
        return { ...state, errors: state.errors + 1 };
      case 'broadcast_sent':
        return { ...state, broadcastsSent: state.broadcastsSent + 1, messagesSent: state.messagesSent + event.recipients };
      case 'client_joined':
        return { ...state, clients: state.clients + 1 };
      case 'client_left':
        return { ...state, clients: state.clients - 1 };
      case 'subscription_added':
        return { ...state, subscriptions: state.subscriptions + 1 };
      case 'subscription_removed':
        return { ...state, subscriptions: state.subscriptions - 1 };
      case 'connection_refused': {
        const byStatus = state.connectionsRefusedByStatus;
        return {
          ...state,
          connectionsRefused: state.connectionsRefused + 1,
          connectionsRefusedByStatus: { ...byStatus, [event.status]: (byStatus[event.status] ?? 0) + 1 },
        };
      }
      case 'connection_closed_by_auth': {
        const closed = state.connectionsClosedByAuth;
        return { ...state, connectionsClosedByAuth: { ...closed, [event.reason]: closed[event.reason] + 1 } };
      }
      case 'token_refreshed': {
        const { ok, failed } = state.tokenRefreshes;
        return { ...state, tokenRefreshes: event.ok ? { ok: ok + 1, failed } : { ok, failed: failed + 1 } };
      }
      case 'lease_changed':
        return { ...state, leaseChanges: { ...state.leaseChanges, [event.change]: state.leaseChanges[event.change] + 1 } };
      case 'redis_update_received':
      case 'trades_committed':
        // A histogram only (Prometheus observes it from the event stream); nothing to fold.
        return state;
      case 'trades_answered': {
        const tradeOutcomes = { ...state.tradeOutcomes };
        for (const [outcome, count] of Object.entries(event.outcomes)) tradeOutcomes[outcome] = (tradeOutcomes[outcome] ?? 0) + count;
        return { ...state, tradeOutcomes };
      }
      case 'message_rejected':
        return {
          ...state,
          messagesRejected: { ...state.messagesRejected, [event.code]: (state.messagesRejected[event.code] ?? 0) + 1 },
        };
      case 'update_conflated':
        return { ...state, updatesConflated: state.updatesConflated + 1 };
      case 'slow_consumer_closed':
        return { ...state, slowConsumersClosed: state.slowConsumersClosed + 1 };
      case 'dead_peer_terminated':
        return { ...state, deadPeersTerminated: state.deadPeersTerminated + 1 };
      case 'topic_status':
        // Stale topics are read off the fan-out when asked (GET /ready), not counted here.
        return state;
    }
  };
}

/** Folds broadcast events into metrics state (emits the state after each event). */
export function foldMetrics(configuredTopics: readonly string[]): OperatorFunction<BroadcastEvent, MetricsState> {
  return scan(reduceMetrics(configuredTopics), initialMetricsState());
}

/**
 * The public snapshot at time `now`. `broadcasts_skipped` is what a polling loop would have
 * skipped: for each configured topic, the whole intervals it spent with nobody subscribed,
 * including the idle span still open at `now`. Derived from timestamps, so no idle timer runs.
 */
export function metricsSnapshot(state: MetricsState, settings: MetricsSettings, now: number): MetricsSnapshot {
  const intervalMs = settings.intervalSeconds * 1000;
  let skipped = 0;
  for (const { idleMs, idleSince } of state.idle.values()) {
    const open = idleSince === undefined ? 0 : Math.max(0, now - idleSince);
    skipped += Math.floor((idleMs + open) / intervalMs);
  }
  return {
    is_running: settings.enabled && state.running,
    interval: settings.intervalSeconds,
    symbols: settings.symbols,
    resolutions: settings.resolutions,
    broadcasts_sent: state.broadcastsSent,
    broadcasts_skipped: skipped,
    messages_sent: state.messagesSent,
    updates_generated: state.updatesGenerated,
    errors: state.errors,
    active_topics: state.activeTopics.size,
    topics: [...state.activeTopics].sort(),
    clients: state.clients,
    subscriptions: state.subscriptions,
    connections_refused: state.connectionsRefused,
    messages_rejected: state.messagesRejected,
    slow_consumers_closed: state.slowConsumersClosed,
    updates_conflated: state.updatesConflated,
    dead_peers_terminated: state.deadPeersTerminated,
  };
}

/** Holds the latest metrics state of a running service; reading it never changes it. */
export class Metrics {
  private readonly state = new BehaviorSubject<MetricsState>(initialMetricsState());
  private readonly subscription: Subscription;

  constructor(
    events$: Observable<BroadcastEvent>,
    private readonly settings: MetricsSettings,
    private readonly scheduler: SchedulerLike,
  ) {
    this.subscription = events$.pipe(foldMetrics(settings.configuredTopics)).subscribe((state) => this.state.next(state));
  }

  snapshot(): MetricsSnapshot {
    return metricsSnapshot(this.state.value, this.settings, this.scheduler.now());
  }

  /** The JSON snapshot and the state it was made from, read together (what /metrics exposes). */
  read(): { readonly snapshot: MetricsSnapshot; readonly state: MetricsState } {
    const state = this.state.value;
    return { snapshot: metricsSnapshot(state, this.settings, this.scheduler.now()), state };
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}

function closeSpan(span: TopicIdleness, at: number): TopicIdleness {
  if (span.idleSince === undefined) return span;
  return { idleMs: span.idleMs + Math.max(0, at - span.idleSince), idleSince: undefined };
}

function endIdle(idle: ReadonlyMap<string, TopicIdleness>, topic: string, at: number): ReadonlyMap<string, TopicIdleness> {
  const current = idle.get(topic);
  return current ? new Map(idle).set(topic, closeSpan(current, at)) : idle;
}

function beginIdle(idle: ReadonlyMap<string, TopicIdleness>, topic: string, at: number): ReadonlyMap<string, TopicIdleness> {
  const current = idle.get(topic) ?? { idleMs: 0, idleSince: undefined };
  return new Map(idle).set(topic, { idleMs: current.idleMs, idleSince: at });
}

function closeIdleSpans(idle: ReadonlyMap<string, TopicIdleness>, at: number): ReadonlyMap<string, TopicIdleness> {
  return new Map([...idle].map(([topic, span]) => [topic, closeSpan(span, at)]));
}
