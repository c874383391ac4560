import type { Router } from 'express';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Config } from '../config/schema.js';
import { TradeAggregator } from '../engines/trades/trade-aggregator.js';
import { tradeBarHistory, type BarHistorySource } from '../engines/trades/trade-history.js';
import type { TradesEngineOptions } from '../engines/trades/trades-engine.js';
import { Ingest } from '../ingest/ingest.js';
import type { Logger } from '../logger.js';
import { openTradeStore } from '../store/open-trade-store.js';
import type { OffsetAdvance, StoredBar, StoreHealth, TradeStore } from '../store/trade-store.js';
import type { TradeFedFinals } from '../streams/bars-resume.js';
import { pruneOnSchedule } from '../streams/retention-prune.js';
import { AdmissionWatermark } from '../streams/trade-watermark.js';
import type { AccessPolicy } from '../transport/auth/access-check.js';
import type { BarHistory } from '../transport/http/history-query.js';
import { tradesRoutes } from '../transport/http/trades-routes.js';
import type { Trade } from '../domain/trade.js';
import type { Resolution } from '../domain/resolution.js';

/**
 * The wiring of trade-built bars (issue 21, docs/architecture.md "Trade-built bars"), a step
 * of the composition root in one piece: the store (opened on start), the always-on aggregator, the
 * ingest, and what the composition root hands to the engine selection, the bars kind, the
 * history routes and the gateway. Undefined when INGEST_SYMBOLS is empty: then none of it runs.
 */
export interface TradeIngestWiring {
  /** For selectEngine: trade-fed symbols' bars come from the aggregator. */
  readonly engine: TradesEngineOptions;
  /** For the bars kind: resumes of trade-fed topics, and their quiet (not stale) silences. */
  readonly finals: TradeFedFinals;
  /** For the gateway (`trades.publish`) and the HTTP route. */
  readonly ingest: Ingest;
  /** History routes' bars: trade-fed symbols from the store, the rest from `mock`. */
  history(mock: BarHistorySource): BarHistory;
  /** `POST /api/v1/trades`. */
  router(access: AccessPolicy): Router;
  /** Opens (and migrates) the store and recovers the aggregation; before the server listens. */
  start(): Promise<void>;
  /** Answers the trades waiting for a commit, waiting at most `timeoutMs` for the store; before the sockets close. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops the pruning and the aggregator (if the engine has not) and releases the store; after the engine stopped, or after a failed start. */
  close(): Promise<void>;
}

export interface TradeIngestDependencies {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Replaces the store the config names (tests). */
  readonly store?: TradeStore | undefined;
}

export function createTrades(config: Config, { scheduler, logger, store: given }: TradeIngestDependencies): TradeIngestWiring | undefined {
  const { ingest: settings } = config;
  if (settings.symbols.length === 0) return undefined;
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
  const ingest = new Ingest({
    store,
    aggregator,
    watermark,
    rules: { symbols: new Set(settings.symbols), latenessMs: settings.latenessMs, maxFutureMs: settings.maxFutureMs },
    scheduler,
    maxPending: settings.maxPending,
    batchMax: settings.batchMax,
    batchWaitMs: settings.batchWaitMs,
    onStoreError: (error) => logger.error({ err: error }, 'committing trades failed; they were refused STORE_UNAVAILABLE'),
    onAggregatorError: (error) => logger.error({ err: error }, 'aggregating committed trades failed; they are stored, a restart rebuilds their bars'),
  });
  let pruning: Subscription | undefined;
  return {
    engine: { aggregator },
    finals: aggregator,
    ingest,
    history: (mock) => tradeBarHistory(aggregator, store, mock),
    router: (access) => tradesRoutes(ingest, access),
    async start() {
      store.open(given ?? (await openTradeStore(config.store)));
      await aggregator.start();
      // Retention (docs/operations.md, "The trade store"): this process owns the store, so it prunes it.
      const retention = { tradeHours: config.store.tradeRetentionHours, barDays: config.store.historyRetentionDays, resolutions: config.broadcaster.resolutions };
      pruning = pruneOnSchedule(store, retention, scheduler).subscribe((outcome) => {
        if (outcome.kind === 'prune_failed') logger.warn(outcome, 'pruning the trade store failed; retried at the next prune');
        else if (outcome.trades + outcome.bars > 0) logger.info(outcome, 'trade store pruned');
      });
      if (settings.publishTokens.length === 0 && !config.auth.jwtSecret && !config.auth.jwtKeyFile) {
        logger.warn({ symbols: settings.symbols }, 'INGEST_SYMBOLS is set but nobody may publish: set PUBLISH_TOKENS (or JWT keys for tokens with the publish scope)');
      }
    },
    drain: (timeoutMs) => {
      let timer: Subscription | undefined;
      const late = new Promise<void>((resolve) => (timer = scheduler.schedule(() => resolve(), timeoutMs)));
      return Promise.race([ingest.close(), late]).finally(() => timer?.unsubscribe());
    },
    close: async () => {
      pruning?.unsubscribe();
      // Stopped with the engine already on a normal stop (a second stop does nothing); not after a failed start.
      await aggregator.stop();
      await store.close();
    },
  };
}

/**
 * The store, once start() has opened it: the aggregator and the ingest are built with the
 * app (synchronously), the database is opened when it starts. Nothing reaches it before.
 */
class OpenedStore implements TradeStore {
  private store: TradeStore | undefined;

  open(store: TradeStore): void {
    this.store = store;
  }

  private get opened(): TradeStore {
    if (!this.store) throw new Error('the trade store is not open yet');
    return this.store;
  }

  appendTrades(trades: readonly Trade[], advances?: readonly OffsetAdvance[]) {
    return this.opened.appendTrades(trades, advances);
  }
  ingestOffset(symbol: string) {
    return this.opened.ingestOffset(symbol);
  }
  tradesSince(symbol: string, from: number) {
    return this.opened.tradesSince(symbol, from);
  }
  saveBars(bars: readonly StoredBar[]) {
    return this.opened.saveBars(bars);
  }
  bars(symbol: string, resolution: Resolution, from: number, to: number, limit: number) {
    return this.opened.bars(symbol, resolution, from, to, limit);
  }
  lastBar(symbol: string, resolution: Resolution) {
    return this.opened.lastBar(symbol, resolution);
  }
  prune(tradesBefore: number, barsBefore: number) {
    return this.opened.prune(tradesBefore, barsBefore);
  }
  health(): StoreHealth {
    return this.store ? this.store.health() : { writable: false, reason: 'not open yet' };
  }
  async close(): Promise<void> {
    await this.store?.close();
  }
}
