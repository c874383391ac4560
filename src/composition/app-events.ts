import { filter, type SchedulerLike } from 'rxjs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { catalogTopicKeys, type Catalog } from '../streams/catalog.js';
import { createEventBus, type EventBus } from '../streams/events.js';
import { Metrics } from '../streams/metrics.js';
import { PrometheusMetrics } from '../transport/http/prometheus.js';

/** The event bus and what folds it: the metrics snapshot, the Prometheus registry, the error log. */
export interface AppEvents {
  readonly bus: EventBus;
  readonly metrics: Metrics;
  readonly prometheus: PrometheusMetrics;
  /** Reports `broadcaster_stopped`, then releases the folds and completes the bus. */
  close(): void;
}

export function createAppEvents(config: Config, catalog: Catalog, { scheduler, logger }: { scheduler: SchedulerLike; logger: Logger }): AppEvents {
  const { broadcaster } = config;
  const bus = createEventBus(scheduler);
  const metrics = new Metrics(
    bus.events$,
    {
      enabled: broadcaster.enabled,
      intervalSeconds: broadcaster.interval,
      symbols: broadcaster.symbols,
      resolutions: broadcaster.resolutions,
      configuredTopics: catalogTopicKeys(catalog),
    },
    scheduler,
  );
  bus.events$
    .pipe(filter((event) => event.type === 'topic_error'))
    .subscribe((event) => logger.error({ topic: event.topic, err: event.error }, 'topic stream failed; it carries on'));
  const prometheus = new PrometheusMetrics(() => metrics.read(), bus.events$);
  return {
    bus,
    metrics,
    prometheus,
    close() {
      bus.emit({ type: 'broadcaster_stopped' });
      metrics.close();
      prometheus.close();
      bus.complete();
    },
  };
}
