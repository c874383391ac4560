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
  /** Trade-fed symbols (INGEST_SYMBOLS): their bars come from the aggregator, the rest from the role's engine. */
  readonly trades?: TradesEngineOptions;
}

/**
 * The engine for this process's role: the one place that knows there is more than one.
 * Standalone computes bars in-process; a gateway reads them off Redis; a generator computes
 * them in-process and publishes them to Redis. "Redis" is one server (REDIS_URL), or a Redis
 * Cluster when REDIS_CLUSTER_NODES lists its seed nodes: the same engines on another link.
 * With trade-fed symbols, whichever it is is wrapped by the trades engine.
 */
export function selectEngine(selection: EngineSelection, dependencies: RedisEngineDependencies): BarEngine {
  const engine = roleEngine(selection, dependencies);
  return selection.trades ? tradesEngine(selection.trades, engine) : engine;
}

function roleEngine(selection: EngineSelection, dependencies: RedisEngineDependencies): BarEngine {
  const { cluster } = selection;
  switch (cluster.role) {
    case 'standalone':
      return memoryEngine(selection.memory);
    case 'gateway':
      return redisGatewayEngine(gatewayLink(cluster, dependencies), dependencies);
    case 'generator':
      return redisGeneratorEngine(
        generatorLink(cluster, selection.memory.periodMs, dependencies),
        cluster,
        {
          topics: withBaseTopics(selection.topics),
          periodMs: selection.memory.periodMs,
          owner: selection.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
          compute: memoryEngine(selection.memory),
          ...(selection.onLeadership ? { onLeadership: selection.onLeadership } : {}),
        },
        dependencies,
      );
  }
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
