import type { Router } from 'express';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Config } from '../config/schema.js';
import { resultsByOutcome } from '../domain/trade-result.js';
import type { TradeFedSelection } from '../engines/select-engine.js';
import { GatewayTradeView } from '../engines/trades/gateway-trade-view.js';
import { TradeAggregator } from '../engines/trades/trade-aggregator.js';
import { tradeBarHistory, type BarHistorySource } from '../engines/trades/trade-history.js';
import { ForwardingIngest } from '../ingest/forwarding-ingest.js';
import { Ingest } from '../ingest/ingest.js';
import { StreamIngest } from '../ingest/stream-ingest.js';
import type { Logger } from '../logger.js';
import { openTradeStore } from '../store/open-trade-store.js';
import type { TradeStore } from '../store/trade-store.js';
import type { EmitEvent } from '../streams/events.js';
import type { TradeFedMinutes } from '../streams/operators/to-trade-fed-quote.js';
import { pruneOnSchedule } from '../streams/retention-prune.js';
import { AdmissionWatermark } from '../streams/trade-watermark.js';
import type { AccessPolicy } from '../transport/auth/access-check.js';
import type { BarHistory } from '../transport/http/history-query.js';
import { tradesRoutes } from '../transport/http/trades-routes.js';
import type { TradeIngest } from '../transport/ws/trades-publish.js';
import { OpenedStore } from './opened-store.js';

/**
 * The wiring of trade-built bars (issue 21, docs/architecture.md "Trade-built bars"), a step
 * of the composition root in one piece: the store (opened on start), the aggregation, the
 * ingest, and what the composition root hands to the engine selection, the bars kind, the
 * history routes and the gateway. Undefined when INGEST_SYMBOLS is empty: then none of it runs.
 * Each role takes its part ("With Redis"): standalone ingests and aggregates; a gateway
 * checks and forwards trades and keeps a view of the topics; a generator ingests and
 * aggregates the symbols whose leases it holds.
 */
export interface TradeIngestWiring {
  /** For selectEngine: what the role needs of trade-fed symbols. */
  readonly engine: TradeFedSelection;
  /** For the bars and quotes kinds: resumes of trade-fed topics, their quiet (not stale) silences, their quotes. */
  readonly finals: TradeFedMinutes;
  /** For the gateway (`trades.publish`) and the HTTP route; none on a generator, which takes no publishes. */
  readonly ingest: TradeIngest | undefined;
  /** History routes' bars: trade-fed symbols from the store, the rest from `mock`. */
  history(mock: BarHistorySource): BarHistory;
  /** `POST /api/v1/trades`, where publishes are taken. */
  router?(access: AccessPolicy): Router;
  /** Opens (and migrates) the store and recovers what the role keeps; before the server listens. */
  start(): Promise<void>;
  /** Answers the trades waiting for a commit (or an answer), waiting at most `timeoutMs`; before the sockets close. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops the pruning and the aggregator (if the engine has not) and releases the store; after the engine stopped, or after a failed start. */
  close(): Promise<void>;
}

export interface TradeIngestDependencies {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Where commits and answered publishes are reported (metrics). */
  readonly emit: EmitEvent;
  /** Replaces the store the config names (tests). */
  readonly store?: TradeStore | undefined;
}

export function createTrades(config: Config, dependencies: TradeIngestDependencies): TradeIngestWiring | undefined {
  if (config.ingest.symbols.length === 0) return undefined;
  return config.cluster.role === 'gateway' ? forwardingTrades(config, dependencies) : aggregatingTrades(config, dependencies);
}

/** Standalone, and a generator: the ingest, the aggregator, and (on a generator) the ingest of the trade streams. */
function aggregatingTrades(config: Config, { scheduler, logger, emit, store: given }: TradeIngestDependencies): TradeIngestWiring {
  const { ingest: settings } = config;
  const generator = config.cluster.role === 'generator';
  const store = new OpenedStore();
  const watermark = new AdmissionWatermark();
  const aggregator = new TradeAggregator({
    symbols: settings.symbols,
    resolutions: config.broadcaster.resolutions,
    latenessMs: settings.latenessMs,
    maxBars: config.history.maxBars,
    store,
    scheduler,
    watermark,
    onError: (error) => logger.error({ err: error }, 'storing final bars failed; retried with the next ones'),
  });
  let streams: StreamIngest | undefined;
  const ingest = new Ingest({
    store,
    aggregator,
    watermark,
    rules: admissionRules(config),
    scheduler,
    maxPending: settings.maxPending,
    batchMax: settings.batchMax,
    batchWaitMs: settings.batchWaitMs,
    onStoreError: (error) => {
      logger.error({ err: error }, 'committing trades failed; they were refused STORE_UNAVAILABLE');
      streams?.storeFailed(error);
    },
    onCommitted: ({ trades, durationMs }) => emit({ type: 'trades_committed', trades, durationMs }),
    onAggregatorError: (error) => logger.error({ err: error }, 'aggregating committed trades failed; they are stored, a restart rebuilds their bars'),
  });
  const answering = reportingAnswers(ingest, emit);
  if (generator) streams = new StreamIngest(settings.symbols, ingest, aggregator, store);
  let pruning: Subscription | undefined;
  return {
    engine: { symbols: settings.symbols, engine: { aggregator }, ...(streams ? { leading: streams } : {}) },
    finals: aggregator,
    // A generator takes no publishes: a trade committed here, beside the stream, would miss the lead generator's bars.
    ingest: generator ? undefined : answering,
    history: (mock) => tradeBarHistory(aggregator, store, mock),
    ...(generator ? {} : { router: (access: AccessPolicy) => tradesRoutes(answering, access) }),
    async start() {
      store.open(given ?? (await openTradeStore(config.store)));
      // A generator recovers each symbol when it takes its lease, not here.
      if (!generator) await aggregator.start();
      // Retention (docs/operations.md, "The trade store"): the processes that write the store prune it.
      const retention = { tradeHours: config.store.tradeRetentionHours, barDays: config.store.historyRetentionDays, resolutions: config.broadcaster.resolutions };
      pruning = pruneOnSchedule(store, retention, scheduler).subscribe((outcome) => {
        if (outcome.kind === 'prune_failed') logger.warn(outcome, 'pruning the trade store failed; retried at the next prune');
        else if (outcome.trades + outcome.bars > 0) logger.info(outcome, 'trade store pruned');
      });
      if (!generator) warnIfNobodyMayPublish(config, logger);
    },
    drain: (timeoutMs) => {
      streams?.close();
      return within(ingest.close(), timeoutMs, scheduler);
    },
    close: async () => {
      pruning?.unsubscribe();
      // Stopped with the engine already on a normal stop (a second stop does nothing); not after a failed start.
      await aggregator.stop();
      await store.close();
    },
  };
}

/** A gateway: trades checked here and forwarded to each symbol's lead generator; the topics' view; history from the store. */
function forwardingTrades(config: Config, { scheduler, logger, emit, store: given }: TradeIngestDependencies): TradeIngestWiring {
  const { ingest: settings } = config;
  const store = new OpenedStore();
  const view = new GatewayTradeView({
    symbols: settings.symbols,
    resolutions: config.broadcaster.resolutions,
    maxBars: config.history.maxBars,
    store,
    onError: (error) => logger.warn({ err: error }, 'reloading the finals of a trade-fed topic failed; resumes of it may be refused until the next one'),
  });
  const ingest = new ForwardingIngest({ rules: admissionRules(config), scheduler, maxPending: settings.maxPending });
  const answering = reportingAnswers(ingest, emit);
  return {
    engine: { symbols: settings.symbols, gateway: { view, useForwarder: (forwarder) => ingest.useForwarder(forwarder), forwardTimeoutMs: settings.forwardTimeoutMs } },
    finals: view,
    ingest: answering,
    history: (mock) => tradeBarHistory(view, store, mock),
    router: (access) => tradesRoutes(answering, access),
    async start() {
      store.open(given ?? (await openTradeStore(config.store)));
      await view.load();
      warnIfNobodyMayPublish(config, logger);
    },
    drain: (timeoutMs) => within(ingest.close(), timeoutMs, scheduler),
    close: async () => {
      await store.close();
    },
  };
}

/** `ingest` as the transport sees it, each answered publish reported (`trades_answered`, for barcast_trades_total). */
function reportingAnswers(ingest: TradeIngest, emit: EmitEvent): TradeIngest {
  return {
    publish: async (items, scope) => {
      const results = await ingest.publish(items, scope);
      emit({ type: 'trades_answered', outcomes: resultsByOutcome(results) });
      return results;
    },
    get pending() {
      return ingest.pending;
    },
    get maxPending() {
      return ingest.maxPending;
    },
  };
}

function admissionRules(config: Config) {
  const { ingest: settings } = config;
  return { symbols: new Set(settings.symbols), latenessMs: settings.latenessMs, maxFutureMs: settings.maxFutureMs };
}

function warnIfNobodyMayPublish(config: Config, logger: Logger): void {
  if (config.ingest.publishTokens.length === 0 && !config.auth.jwtSecret && !config.auth.jwtKeyFile) {
    logger.warn({ symbols: config.ingest.symbols }, 'INGEST_SYMBOLS is set but nobody may publish: set PUBLISH_TOKENS (or JWT keys for tokens with the publish scope)');
  }
}

/** `done`, or `timeoutMs` passing, whichever comes first. */
function within(done: Promise<void>, timeoutMs: number, scheduler: SchedulerLike): Promise<void> {
  let timer: Subscription | undefined;
  const late = new Promise<void>((resolve) => (timer = scheduler.schedule(() => resolve(), timeoutMs)));
  return Promise.race([done, late]).finally(() => timer?.unsubscribe());
}
