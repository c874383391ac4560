import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseBarsTopicKey, barsTopicKey } from '../domain/topic.js';
import type { BarEngine } from '../streams/bar-source.js';
import { BASE_RESOLUTION } from '../streams/bars-topic.js';
import { memoryEngine, type MemoryEngineOptions } from './memory/memory-engine.js';
import { parseClusterNodes } from '../domain/cluster-nodes.js';
import { redisGatewayEngine, redisGeneratorEngine, type RedisEngineConfig, type RedisEngineDependencies } from './redis/redis-engine.js';
import { singleRedisGatewayLink, singleRedisGeneratorLink, type GatewayLink, type GeneratorLink } from './redis/redis-link.js';
import { clusterGatewayLink, clusterGeneratorLink } from './redis-cluster/cluster-link.js';
import { tradesEngine, type TradesEngineOptions } from './trades/trades-engine.js';
import type { TradeFedLeading } from './redis/generator.js';
import { TradeForwarder } from './redis/trade-forwarder.js';
import type { GatewayTradeView } from './trades/gateway-trade-view.js';
import { gatewayTradesEngine } from './trades/gateway-trades-engine.js';
import type { SeriesHistory } from '../streams/series-history.js';

/** The process's part: standalone (no Redis), a gateway (serves clients) or a generator. */
export type EngineRole = 'standalone' | 'gateway' | 'generator';

export interface EngineSelection {
  /** The `cluster` config section. */
  readonly cluster: RedisEngineConfig & { readonly role: EngineRole };
  /** What the in-process engine computes with (standalone and generators). */
  readonly memory: MemoryEngineOptions;
  /** The catalog's bars topic keys. */
  readonly topics: readonly string[];
  /** A generator's id in leases (default: host, pid and a random suffix). */
  readonly owner?: string;
  readonly onLeadership?: (topic: string, leading: boolean) => void;
  /** Trade-fed symbols (INGEST_SYMBOLS): what the role needs of them (TradeFedSelection). */
  readonly trades?: TradeFedSelection;
}

/**
 * Trade-fed symbols as each role takes them (docs/architecture.md, "Trade-built bars", "With
 * Redis"). Standalone: the aggregator (`engine`). A generator: the aggregator, and the ingest
 * of the symbols' trade streams it runs while it holds their leases (`leading`). A gateway:
 * its view of the topics (`gateway.view`), and where its forwarder goes (`gateway.useForwarder`).
 */
export interface TradeFedSelection {
  readonly symbols: readonly string[];
  readonly engine?: TradesEngineOptions;
  readonly leading?: TradeFedLeading;
  readonly gateway?: {
    readonly view: GatewayTradeView;
    readonly useForwarder: (forwarder: TradeForwarder) => void;
    /** INGEST_FORWARD_TIMEOUT_MS. */
    readonly forwardTimeoutMs: number;
    /** This gateway's id in trade answers (default: host, pid and a random suffix). */
    readonly gatewayId?: string;
  };
}

/**
 * The engine for this process's role: the one place that knows there is more than one.
 * Standalone computes bars in-process; a gateway reads them off Redis; a generator computes
 * them in-process and publishes them to Redis. "Redis" is one server (REDIS_URL), or a Redis
 * Cluster when REDIS_CLUSTER_NODES lists its seed nodes: the same engines on another link.
 * With trade-fed symbols, standalone and a generator are wrapped by the trades engine (their
 * bars come from the aggregator); a gateway forwards their trades and keeps a view of them.
 */
export function selectEngine(selection: EngineSelection, dependencies: RedisEngineDependencies): BarEngine {
  const { cluster, trades } = selection;
  switch (cluster.role) {
    case 'standalone':
      return aggregating(trades, memoryEngine(selection.memory));
    case 'gateway':
      return trades?.gateway ? tradeFedGateway(selection, trades.gateway, dependencies) : redisGatewayEngine(gatewayLink(cluster, dependencies), dependencies);
    case 'generator':
      return aggregating(trades, generatorEngine(selection, dependencies));
  }
}

/** Trade-fed symbols' bars from the aggregator, the rest from `engine` (standalone, a generator). */
function aggregating(trades: TradeFedSelection | undefined, engine: BarEngine): BarEngine {
  return trades?.engine ? tradesEngine(trades.engine, engine) : engine;
}

function processId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function generatorEngine(selection: EngineSelection, dependencies: RedisEngineDependencies): BarEngine {
  const { cluster, trades } = selection;
  const tradeFed = new Set(trades?.symbols ?? []);
  const topics = withBaseTopics(selection.topics);
  const isTradeFed = (key: string) => tradeFed.has(parseBarsTopicKey(key)?.symbol ?? '');
  return redisGeneratorEngine(
    generatorLink(cluster, selection.memory.periodMs, dependencies),
    cluster,
    {
      // Trade-fed topics are not leased on demand: they are led with their symbol (TradeFedTopics).
      topics: topics.filter((key) => !isTradeFed(key)),
      periodMs: selection.memory.periodMs,
      owner: selection.owner ?? processId(),
      compute: memoryEngine(selection.memory),
      ...(selection.onLeadership ? { onLeadership: selection.onLeadership } : {}),
      ...(trades?.leading ? { tradeFed: tradeFedTopics(trades.leading, topics.filter(isTradeFed)) } : {}),
    },
    dependencies,
  );
}

/** Each trade-fed symbol's topics, its base topic first (the one whose lease decides who ingests it). */
function tradeFedTopics(leading: TradeFedLeading, topics: readonly string[]) {
  const topicsOf = (symbol: string): readonly string[] => {
    const base = barsTopicKey(symbol, BASE_RESOLUTION);
    return [base, ...topics.filter((key) => key !== base && parseBarsTopicKey(key)?.symbol === symbol)];
  };
  // The leading's own members are read through it (pending changes): a wrapper, not a copy.
  return {
    get symbols() {
      return leading.symbols;
    },
    lead: (symbol: string) => leading.lead(symbol),
    release: (symbol: string) => leading.release(symbol),
    ingestEntry: (symbol: string, entryId: string, trades: readonly unknown[]) => leading.ingestEntry(symbol, entryId, trades),
    onLost: (listener: (symbol: string) => void) => leading.onLost(listener),
    get pending() {
      return leading.pending;
    },
    get maxPending() {
      return leading.maxPending;
    },
    topicsOf,
  };
}

/**
 * A gateway with trade-fed symbols: every topic off Redis as before, a forwarder of published
 * trades to each symbol's lead generator (handed to the ingest), and the view of the trade-fed
 * topics; missed finals of those are never filled from the mock series' history (their history
 * is the store's: the view reloads it).
 */
function tradeFedGateway(selection: EngineSelection, gateway: NonNullable<TradeFedSelection['gateway']>, dependencies: RedisEngineDependencies): BarEngine {
  const link = gatewayLink(selection.cluster, dependencies);
  const forwarder = new TradeForwarder({
    link,
    gatewayId: gateway.gatewayId ?? processId(),
    timeoutMs: gateway.forwardTimeoutMs,
    scheduler: dependencies.scheduler,
    reportError: (error) => dependencies.reportError(undefined, error),
  });
  gateway.useForwarder(forwarder);
  const history = withoutTradeFed(dependencies.history, (symbol) => gateway.view.isTradeFed(symbol));
  return gatewayTradesEngine(gateway.view, redisGatewayEngine(link, { ...dependencies, history }), () => forwarder.close());
}

function withoutTradeFed(history: SeriesHistory, isTradeFed: (symbol: string) => boolean): SeriesHistory {
  return {
    closedBefore: (symbol, resolution, time) => history.closedBefore(symbol, resolution, time),
    barBefore: (symbol, resolution, time) => history.barBefore(symbol, resolution, time),
    bars: (symbol, resolution, range) => (isTradeFed(symbol) ? [] : history.bars(symbol, resolution, range)),
  };
}

function gatewayLink(config: RedisEngineConfig, { logger }: RedisEngineDependencies): GatewayLink {
  const { redisUrl, redisClusterNodes, reconnectMaxMs } = config;
  return redisClusterNodes
    ? clusterGatewayLink({ nodes: parseClusterNodes(redisClusterNodes), reconnectMaxMs, logger })
    : singleRedisGatewayLink({ redisUrl, reconnectMaxMs, logger });
}

function generatorLink(config: RedisEngineConfig, periodMs: number, { logger, scheduler, reportError }: RedisEngineDependencies): GeneratorLink {
  const { redisUrl, redisClusterNodes, reconnectMaxMs } = config;
  return redisClusterNodes
    ? clusterGeneratorLink({
        nodes: parseClusterNodes(redisClusterNodes),
        reconnectMaxMs,
        logger,
        periodMs,
        scheduler,
        reportError: (error) => reportError(undefined, error),
      })
    : singleRedisGeneratorLink({ redisUrl, reconnectMaxMs, logger });
}

/** Topics and the base-resolution topics their derived kinds (quotes) subscribe through. */
function withBaseTopics(topics: readonly string[]): string[] {
  const base = topics.flatMap((key) => {
    const topic = parseBarsTopicKey(key);
    return topic ? [barsTopicKey(topic.symbol, BASE_RESOLUTION)] : [];
  });
  return [...new Set([...topics, ...base])];
}
