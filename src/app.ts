import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asyncScheduler, filter, type Observable, ReplaySubject, type SchedulerLike } from 'rxjs';
import type { Config } from './config/schema.js';
import { selectEngine } from './engines/select-engine.js';
import { createLogger, type Logger } from './logger.js';
import type { Readiness } from './streams/bar-source.js';
import type { BarGenerator } from './streams/bar-stream.js';
import { barsTopicKind } from './streams/bars-topic.js';
import { catalogTopicKeys, type Catalog } from './streams/catalog.js';
import { createEventBus, type BroadcastEvent } from './streams/events.js';
import { Hub } from './streams/hub.js';
import { Metrics, type MetricsSnapshot } from './streams/metrics.js';
import { quotesTopicKind } from './streams/quotes-topic.js';
import { seriesHistory } from './streams/series-history.js';
import { topicTicks } from './streams/topic-ticks.js';
import type { AnyTopicKind } from './streams/topic-kind.js';
import { Router } from 'express';
import { loadJwtKeys } from './config/jwt-keys.js';
import { ReloadableAccessPolicy } from './transport/auth/access-policy.js';
import type { TokenAuthority } from './transport/auth/credential.js';
import { StaticTokens } from './transport/auth/static-tokens.js';
import { TokenVerifier } from './transport/auth/token-verifier.js';
import { requireAccess } from './transport/http/access-middleware.js';
import { deadlineServerOptions, guardConnections, type ConnectionDeadlines } from './transport/http/connection-deadlines.js';
import { HistoryBars } from './transport/http/history-bars.js';
import { historyRateLimit } from './transport/http/history-rate-limit.js';
import { HISTORY_PATH, historyRoutes } from './transport/http/history-routes.js';
import { createHttpApp } from './transport/http/http-app.js';
import { metricsRoutes } from './transport/http/metrics-routes.js';
import { pageRoutes } from './transport/http/page-routes.js';
import { PrometheusMetrics } from './transport/http/prometheus.js';
import { UDF_PATH, udfRoutes } from './transport/http/udf-routes.js';
import { Gateway, type WebSocketEngine } from './transport/ws/gateway.js';
import { UwsEngine } from './transport/ws/uws-engine.js';
import { rejectUpgrade, WsEngine } from './transport/ws/ws-engine.js';
import type { TradeStore } from './store/trade-store.js';
import { tradeIngest } from './trade-ingest.js';

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

export interface App {
  /** Listens on config host/port; resolves with the bound HTTP address (port 0 picks one). */
  start(): Promise<AddressInfo>;
  /**
   * Where WebSocket clients connect, once started: the HTTP address with the ws engine, uWS's
   * own port with `transport.engine: uws`. Undefined before start, and on a node that serves
   * no clients (a cluster generator).
   */
  wsAddress(): AddressInfo | undefined;
  /** Completes every topic, closes clients with 1001, closes the server. Safe to call twice. */
  stop(): Promise<void>;
  readonly hub: Hub;
  metrics(): MetricsSnapshot;
  /**
   * Applies what can change without dropping anyone (SIGHUP): the log level, the tokens
   * (AUTH_TOKENS, AUTH_TOKEN_FILE) and JWT keys. Connections whose static token is gone are
   * closed with 4003. Other settings need a restart.
   */
  reload(next: Config): ReloadSummary;
  /** Every event as it happens (tests and embedders observe the service through it). */
  readonly events$: Observable<BroadcastEvent>;
}

export interface ReloadSummary {
  readonly logLevel: string;
  readonly staticTokens: number;
  /** Connections closed with 4003 because their token was removed. */
  readonly revoked: number;
}

/** The composition root: config -> event bus, metrics -> hub -> HTTP and WebSocket transport. */
export function createApp(config: Config, dependencies: AppDependencies = {}): App {
  const scheduler = dependencies.scheduler ?? asyncScheduler;
  const logger = dependencies.logger ?? createLogger(config.log.level);
  const { broadcaster } = config;
  // --- trade-built bars (issue 21): everything of it is in trade-ingest.ts; undefined without INGEST_SYMBOLS.
  const trades = tradeIngest(config, { scheduler, logger, ...(dependencies.tradeStore ? { store: dependencies.tradeStore } : {}) });
  const tradeFed = new Set(config.ingest.symbols);
  const mockCatalog: Catalog = { symbols: broadcaster.symbols.filter((symbol) => !tradeFed.has(symbol)), resolutions: broadcaster.resolutions };
  // --- end trade-built bars
  const catalog: Catalog = { symbols: [...new Set([...broadcaster.symbols, ...config.ingest.symbols])], resolutions: broadcaster.resolutions };
  const catalogTopics = catalogTopicKeys(catalog);

  const shutdown$ = new ReplaySubject<void>(1);
  const bus = createEventBus(scheduler);
  const metrics = new Metrics(
    bus.events$,
    {
      enabled: broadcaster.enabled,
      intervalSeconds: broadcaster.interval,
      symbols: broadcaster.symbols,
      resolutions: broadcaster.resolutions,
      configuredTopics: catalogTopics,
    },
    scheduler,
  );
  bus.events$
    .pipe(filter((event) => event.type === 'topic_error'))
    .subscribe((event) => logger.error({ topic: event.topic, err: event.error }, 'topic stream failed; it carries on'));

  const history = seriesHistory(broadcaster.seed);
  const engine = selectEngine(
    {
      cluster: config.cluster,
      memory: {
        seed: broadcaster.seed,
        periodMs: broadcaster.interval * 1000,
        ...topicTicks(config.fanout.tickSchedule, broadcaster.interval * 1000, scheduler),
        ...(dependencies.generate ? { generate: dependencies.generate } : {}),
      },
      topics: catalogTopics,
      onLeadership: (topic, leading) => bus.emit({ type: 'lease_changed', topic, change: leading ? 'acquired' : 'lost' }),
      ...(dependencies.clusterOwner ? { owner: dependencies.clusterOwner } : {}),
      ...(trades ? { trades: trades.engine } : {}),
    },
    {
      scheduler,
      logger,
      history,
      emit: bus.emit,
      reportError: (topic, error) => bus.emit({ type: 'topic_error', topic: topic ?? 'engine', error }),
    },
  );
  const hub = new Hub({ scheduler, shutdown$, emit: bus.emit, enabled: broadcaster.enabled });
  hub.register(
    barsTopicKind({
      catalog,
      engine,
      resume: { history, maxBars: config.history.maxBars, now: () => scheduler.now(), listedAt: Date.parse(config.history.listingDate) },
      ...(trades ? { tradeFed: trades.finals } : {}),
    }),
  );
  // Quotes are the mock series' (their previous close comes from its history): trade-fed symbols have none yet.
  hub.register(quotesTopicKind(mockCatalog, history));
  for (const kind of dependencies.topicKinds ?? []) hub.register(kind);

  const prometheus = new PrometheusMetrics(() => metrics.read(), bus.events$);
  const access = new ReloadableAccessPolicy(config.auth.allowedOrigins, tokenAuthority(config.auth, config.ingest.publishTokens, () => scheduler.now()));
  const protect = requireAccess(access);

  let state: 'created' | 'starting' | 'running' | 'stopping' | 'stopped' = 'created';
  const mockHistory = new HistoryBars({ seed: broadcaster.seed, cacheBars: config.history.cacheBars });
  const historySource = {
    catalog,
    seed: broadcaster.seed,
    maxBars: config.history.maxBars,
    maxCost: config.history.maxCost,
    listedAt: Date.parse(config.history.listingDate),
    bars: trades ? trades.history(mockHistory) : mockHistory,
    now: () => scheduler.now(),
  };
  const rateLimit = historyRateLimit({ limit: config.history.rateLimit, windowMs: config.history.rateWindowMs });
  const deadlines: ConnectionDeadlines = {
    ...config.http,
    maxSockets: config.limits.maxConnections + config.limits.maxHttpConnections,
    maxHandshakesPerIp: config.limits.maxHandshakesPerIp,
  };
  /** Where WebSocket clients connect, once started (see App.wsAddress). */
  let wsAddress: AddressInfo | undefined;
  const server: Server = createServer(
    deadlineServerOptions(deadlines),
    createHttpApp({
      ready: () => readiness(),
      logger,
      ...(config.transport.engine === 'uws' ? { webSocketPort: () => wsAddress?.port } : {}),
      // Rate limit, then access control: separate middlewares over the same paths.
      routers: [
        metricsRoutes({ snapshot: () => metrics.snapshot(), prometheus, ...(config.auth.metricsPublic ? {} : { access: protect }) }),
        rateLimit.router,
        Router().use([HISTORY_PATH, UDF_PATH], protect),
        historyRoutes(historySource),
        udfRoutes(historySource),
        ...(trades ? [trades.router(access)] : []),
        pageRoutes({ ports: () => (wsAddress ? { http: (server.address() as AddressInfo).port, webSocket: wsAddress.port } : undefined) }),
      ],
    }),
  );
  guardConnections(server, deadlines);
  const websocket = engine.servesClients ? webSocketEngine(config, server, new Gateway({
    hub,
    emit: bus.emit,
    logger,
    now: () => scheduler.now(),
    staleAfterMs: config.fanout.staleAfterIntervals * broadcaster.interval * 1000,
    scheduler,
    access,
    expiry: { warningMs: config.auth.expiryWarningSeconds * 1000, skewMs: config.auth.jwtClockSkewSeconds * 1000 },
    limits: config.limits,
    heartbeat: config.heartbeat,
    ...(trades ? { ingest: trades.ingest } : {}),
  })) : undefined;
  const gateway = websocket?.gateway;
  // No WebSocket on this port (a generator, or the uWS engine on its own port): upgrades get a 404, not a hang.
  if (!(websocket instanceof WsEngine)) server.on('upgrade', (_request, socket) => rejectUpgrade(socket, 404, 'Not Found'));
  let stopping: Promise<void> | undefined;
  /**
   * Ready while running and the engine can do its part. Stale topics are named; they make the
   * gateway not ready only when every topic its clients watch is stale (its source as a whole
   * is down or out of memory): with some stale (one Redis Cluster shard down), every gateway
   * sees the same, and a balancer that drained them all would only make it worse.
   */
  function readiness(): Readiness {
    if (state !== 'running') return { ready: false, reason: state };
    const engineReadiness = engine.readiness();
    if (!engineReadiness.ready || !gateway) return engineReadiness;
    const { watched, stale } = gateway.liveTopics();
    if (stale.length === 0) return engineReadiness;
    const named = stale.slice(0, 20);
    return stale.length === watched ? { ready: false, reason: `every watched topic is stale: ${named.join(', ')}` } : { ready: true, stale: named };
  }


  return {
    hub,
    metrics: () => metrics.snapshot(),
    events$: bus.events$,
    wsAddress: () => wsAddress,

    reload(next) {
      logger.level = next.log.level;
      access.replace(tokenAuthority(next.auth, next.ingest.publishTokens, () => scheduler.now()));
      const revoked = gateway?.revokeInvalidCredentials() ?? 0;
      const summary = { logLevel: next.log.level, staticTokens: new Set(next.auth.tokens).size, revoked };
      logger.info(summary, 'configuration reloaded');
      return summary;
    },

    async start() {
      if (state !== 'created') throw new Error(`cannot start an app that is ${state}`);
      state = 'starting';
      // The trade store is opened and the aggregation recovered before anyone can publish or subscribe.
      await trades?.start().catch((error: unknown) => {
        state = 'created';
        throw error;
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((error: unknown) => {
        state = 'created';
        throw error;
      });
      const address = server.address() as AddressInfo;
      try {
        wsAddress = await websocket?.listen(config.host);
      } catch (error) {
        // The HTTP port is released again, so a failed start leaves nothing listening.
        await closeServer(server);
        state = 'stopped';
        throw error;
      }
      state = 'running';
      if (broadcaster.enabled) engine.start(hub);
      if (broadcaster.enabled) bus.emit({ type: 'broadcaster_started' });
      logger.info(
        { address: address.address, port: address.port, ...(wsAddress && wsAddress.port !== address.port ? { wsPort: wsAddress.port } : {}), broadcaster, role: config.cluster.role },
        'barcast listening',
      );
      return address;
    },

    stop() {
      stopping ??= (async () => {
        state = 'stopping';
        shutdown$.next();
        shutdown$.complete();
        // Trades waiting for their commit are answered before their publishers' sockets close.
        await trades?.drain(config.shutdown.timeoutMs);
        await websocket?.close(config.shutdown.timeoutMs);
        await engine.stop();
        await trades?.close();
        await closeServer(server);
        rateLimit.close();
        bus.emit({ type: 'broadcaster_stopped' });
        metrics.close();
        prometheus.close();
        bus.complete();
        state = 'stopped';
        logger.info('barcast stopped');
      })();
      return stopping;
    },
  };
}

/** The WebSocket engine of `transport.engine`, in front of the gateway (docs/architecture.md). */
function webSocketEngine(config: Config, server: Server, gateway: Gateway): WebSocketEngine {
  const { maxPayloadBytes } = config.limits;
  if (config.transport.engine === 'uws') return new UwsEngine(gateway, { port: config.transport.uwsPort, maxPayloadBytes, upgradeTimeoutMs: config.http.upgradeTimeoutMs });
  return new WsEngine(gateway, { server, maxPayloadBytes, perMessageDeflate: config.fanout.perMessageDeflate });
}

/** The static tokens and JWT keys of the auth settings, verifying against `now`. */
function tokenAuthority(auth: Config['auth'], publishTokens: readonly string[], now: () => number): TokenAuthority {
  return new TokenVerifier({
    tokens: new StaticTokens(auth.tokens),
    publishTokens: new StaticTokens(publishTokens),
    jwt: loadJwtKeys(auth),
    audience: auth.jwtAudience,
    issuer: auth.jwtIssuer,
    clockSkewSeconds: auth.jwtClockSkewSeconds,
    maxTokenBytes: auth.maxTokenBytes,
    now,
  });
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
