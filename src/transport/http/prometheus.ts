import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Observable, Subscription } from 'rxjs';
import type { BroadcastEvent } from '../../streams/events.js';
import type { MetricsSnapshot, MetricsState } from '../../streams/metrics.js';

/** What the collectors read: the JSON snapshot and the state it was folded from, together. */
export type ReadMetrics = () => { readonly snapshot: MetricsSnapshot; readonly state: MetricsState };

/** Seconds from an update's event time to the write of its last copy; ms clock, so 1 ms is the floor. */
const DELIVERY_DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Up to the default hard limit (1 MiB); the soft limit (64 KiB) falls between two buckets. */
const SEND_BUFFER_BUCKETS = [0, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576];
const REDIS_LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** A commit of a few hundred trades takes 1-3 ms on SQLite (bench T3), a backlog's thousands tens of ms; ms clock, so 1 ms is the floor. */
const COMMIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The Prometheus view of the service: the counters and gauges are read, at scrape time, from
 * the same metrics state as the JSON snapshot (collect callbacks; nothing is counted twice,
 * so the two never disagree), and the histograms, which the JSON snapshot has no field for,
 * are observed from the event stream: once per broadcast, never once per frame.
 * Metric names and their meaning: docs/operations.md#prometheus.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly subscription: Subscription;

  constructor(read: ReadMetrics, events$: Observable<BroadcastEvent>) {
    const registers = [this.registry];
    const counter = (name: string, help: string, value: (snapshot: MetricsSnapshot, state: MetricsState) => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          const { snapshot, state } = read();
          this.reset();
          this.inc(value(snapshot, state));
        },
      });
    };
    const gauge = (name: string, help: string, value: (snapshot: MetricsSnapshot) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value(read().snapshot));
        },
      });
    };
    const labelledCounter = <L extends string>(
      name: string,
      help: string,
      label: L,
      values: (snapshot: MetricsSnapshot, state: MetricsState) => Readonly<Record<string, number | undefined>>,
    ): void => {
      new Counter({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          const { snapshot, state } = read();
          this.reset();
          for (const [key, count] of Object.entries(values(snapshot, state))) this.inc({ [label]: key } as Record<L, string>, count ?? 0);
        },
      });
    };

    counter('barcast_updates_generated_total', 'Topic updates produced (one per topic per interval while subscribed).', (s) => s.updates_generated);
    counter('barcast_broadcasts_sent_total', 'Updates fanned out to the subscribers of their topic.', (s) => s.broadcasts_sent);
    counter('barcast_broadcasts_skipped_total', 'Intervals a configured topic spent with nobody subscribed (no work done).', (s) => s.broadcasts_skipped);
    counter('barcast_messages_sent_total', 'Update frames written to sockets (a broadcast to N subscribers writes N).', (s) => s.messages_sent);
    counter('barcast_topic_errors_total', 'Failures of topic streams (a failed tick is skipped, the topic carries on).', (s) => s.errors);
    counter('barcast_updates_conflated_total', 'Updates replaced by a newer one of their topic before a lagging socket took them.', (s) => s.updates_conflated);
    counter('barcast_slow_consumers_closed_total', 'Connections closed with 1013 for not reading.', (s) => s.slow_consumers_closed);
    counter('barcast_dead_peers_terminated_total', 'Connections terminated for missing a protocol ping.', (s) => s.dead_peers_terminated);
    labelledCounter(
      'barcast_connections_refused_total',
      'WebSocket upgrades refused, by HTTP status (401 token, 403 Origin, 503 capacity).',
      'status',
      (_s, state) => state.connectionsRefusedByStatus,
    );
    labelledCounter('barcast_messages_rejected_total', 'Error replies sent to clients, by error code.', 'code', (s) => s.messages_rejected);
    labelledCounter(
      'barcast_connections_closed_by_auth_total',
      'Connections closed by access control: expired token (4001) or revoked token (4003).',
      'reason',
      (_s, state) => state.connectionsClosedByAuth,
    );
    labelledCounter('barcast_token_refreshes_total', 'In-band token refreshes (auth.refresh), by result.', 'result', (_s, state) => state.tokenRefreshes);
    labelledCounter(
      'barcast_trades_total',
      'Published trades answered, by outcome: accepted, duplicate, or the error code a trade was refused with.',
      'outcome',
      (_s, state) => state.tradeOutcomes,
    );
    labelledCounter(
      'barcast_redis_lease_changes_total',
      'Behind Redis: topic leases this generator acquired, or lost to another generator.',
      'change',
      (_s, state) => state.leaseChanges,
    );

    gauge('barcast_broadcaster_running', '1 while the broadcaster produces bars, else 0.', (s) => (s.is_running ? 1 : 0));
    gauge('barcast_broadcast_interval_seconds', 'Seconds between two updates of a topic.', (s) => s.interval);
    gauge('barcast_connections', 'Open WebSocket connections.', (s) => s.clients);
    gauge('barcast_subscriptions', 'Subscriptions over all connections.', (s) => s.subscriptions);
    gauge('barcast_topics_active', 'Topics with at least one subscriber (so with a running stream).', (s) => s.active_topics);

    const deliveryDelay = new Histogram({
      name: 'barcast_update_delivery_delay_seconds',
      help: "Per broadcast: from the update's event time to the write of its last copy on a socket.",
      buckets: DELIVERY_DELAY_BUCKETS,
      registers,
    });
    const sendBuffer = new Histogram({
      name: 'barcast_socket_send_buffer_bytes',
      help: 'Bytes waiting in a socket send buffer right after a write; one recipient sampled per broadcast, in rotation.',
      buckets: SEND_BUFFER_BUCKETS,
      registers,
    });
    const redisLag = new Histogram({
      name: 'barcast_redis_publish_lag_seconds',
      help: 'Behind Redis: from a generator publishing an update to this gateway receiving it.',
      buckets: REDIS_LAG_BUCKETS,
      registers,
    });
    const commitDuration = new Histogram({
      name: 'barcast_ingest_commit_seconds',
      help: 'Per commit of published trades (one transaction of a batch): from handing the batch to the store to its answer.',
      buckets: COMMIT_BUCKETS,
      registers,
    });
    const committedTrades = new Counter({ name: 'barcast_ingest_committed_trades_total', help: 'Trades written in those commits (accepted and duplicates; a failed commit counts none).', registers });
    this.subscription = events$.subscribe((event) => {
      if (event.type === 'trades_committed') {
        commitDuration.observe(Math.max(0, event.durationMs) / 1000);
        committedTrades.inc(event.trades);
      } else if (event.type === 'broadcast_sent') {
        if (event.eventTime !== undefined) deliveryDelay.observe(Math.max(0, event.at - event.eventTime) / 1000);
        if (event.sampledBufferedBytes !== undefined) sendBuffer.observe(event.sampledBufferedBytes);
      } else if (event.type === 'redis_update_received') {
        redisLag.observe(Math.max(0, event.lagMs) / 1000);
      }
    });
  }

  /**
   * A gauge read at each scrape from `value`, for what is known only once the app is built
   * (the ingest's pending trades): registered once, by the composition root.
   */
  addGauge(name: string, help: string, value: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(value());
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: this app's metrics and the process's (default Node metrics). */
  text(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}

/**
 * The default Node process metrics (`process_*`, `nodejs_*`, under their usual names so
 * stock dashboards work). One registry per process, not per app: they measure the process,
 * and each collection starts observers (GC, event-loop delay) that are never stopped, so a
 * process running many apps (tests, embedders) must start them once.
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // Gauges named like counters fail `promtool check metrics`; each is the sum of the
    // by-type gauge of the same name without `_total`, which stays.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      processRegistry.removeSingleMetric(name);
    }
  }
  return processRegistry;
}
