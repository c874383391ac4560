import { asyncScheduler, ReplaySubject, type SchedulerLike } from 'rxjs';
import { createAccessPolicy } from './composition/access.js';
import { createAppEvents } from './composition/app-events.js';
import { AppStatus } from './composition/app-status.js';
import { configuredCatalog } from './composition/catalog.js';
import { createAppHub } from './composition/hub.js';
import { createHttpServer } from './composition/http-server.js';
import { createLifecycle, type App } from './composition/lifecycle.js';
import { appReadiness } from './composition/readiness.js';
import { createTrades } from './composition/trades.js';
import { createWebSocket } from './composition/websocket.js';
import type { Config } from './config/schema.js';
import { configuredEngine } from './engines/configured-engine.js';
import { createLogger, type Logger } from './logger.js';
import type { BarGenerator } from './streams/bar-stream.js';
import { catalogTopicKeys } from './streams/catalog.js';
import { seriesHistory } from './streams/series-history.js';
import type { AnyTopicKind } from './streams/topic-kind.js';
import type { TradeStore } from './store/trade-store.js';

export type { App, ReloadSummary } from './composition/lifecycle.js';

export interface AppDependencies {
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
  /** Replaces the bar generator (tests inject failures with it). */
  readonly generate?: BarGenerator;
  /** Extra topic kinds, registered after the built-in `bars` and `quotes`. */
  readonly topicKinds?: readonly AnyTopicKind[];
  /** A generator's id in topic leases (default: host, pid and a random suffix). */
  readonly clusterOwner?: string;
  /** Replaces the trade store the config names (DATA_DIR / DATABASE_URL), for trade-fed symbols. */
  readonly tradeStore?: TradeStore;
}

/**
 * The composition root: what is built, in order (each step in src/composition/). Building
 * starts nothing; the lifecycle's `start()` does.
 */
export function createApp(config: Config, dependencies: AppDependencies = {}): App {
  const scheduler = dependencies.scheduler ?? asyncScheduler;
  const logger = dependencies.logger ?? createLogger(config.log.level);
  const catalog = configuredCatalog(config);
  const events = createAppEvents(config, catalog, { scheduler, logger });
  const { emit } = events.bus;
  // Trade-built bars (INGEST_SYMBOLS): undefined without trade-fed symbols, and then nothing of it runs.
  const trades = createTrades(config, { scheduler, logger, emit, store: dependencies.tradeStore });
  const { ingest } = trades ?? {};
  if (ingest) events.prometheus.addGauge('barcast_ingest_pending_trades', 'Published trades waiting for, or in, a commit (or, on a gateway, for the generator); past INGEST_MAX_PENDING publishers are slowed.', () => ingest.pending);

  const history = seriesHistory(config.broadcaster.seed);
  const engine = configuredEngine(config, {
    scheduler,
    logger,
    history,
    emit,
    topics: catalogTopicKeys(catalog),
    generate: dependencies.generate,
    owner: dependencies.clusterOwner,
    trades: trades?.engine,
  });

  const shutdown$ = new ReplaySubject<void>(1);
  const hub = createAppHub(config, catalog, { scheduler, shutdown$, emit, engine, history, topicKinds: dependencies.topicKinds, tradeFed: trades?.finals });

  const access = createAccessPolicy(config, () => scheduler.now());
  const status = new AppStatus();
  // Readiness asks the gateway, built next; it is only called once the server listens.
  const http = createHttpServer(config, { scheduler, logger, catalog, events, access, status, ready: () => appReadiness(status.phase, engine, websocket?.gateway), trades });
  const websocket = createWebSocket(config, http.server, engine, { hub, emit, logger, scheduler, access, addresses: http.clientAddresses, ingest: trades?.ingest });

  return createLifecycle(config, { scheduler, logger, status, events, engine, shutdown$, hub, access, http, websocket, trades });
}
