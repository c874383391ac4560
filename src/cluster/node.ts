import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Config } from '../config/schema.js';
import type { Bar } from '../domain/bar.js';
import type { Logger } from '../logger.js';
import type { BarGenerator } from '../streams/bar-stream.js';
import type { BarsParams } from '../streams/bars-topic.js';
import type { EmitEvent } from '../streams/events.js';
import type { TopicKind } from '../streams/topic-kind.js';
import { channelBarStream } from './channel-bar-stream.js';
import { RedisChannels } from './channel-subscriber.js';
import { generatorLoop } from './generator.js';
import { lastFrameReader } from './last-frame-store.js';
import { closeRedisConnection, createRedisConnection } from './redis-connection.js';

/** This process's part in a cluster: what it changes in the app, and its Redis lifecycle. */
export interface ClusterNode {
  /** Gateways stream `bars` from Redis: the kind keeps its parsing and keys, swaps its source. */
  adaptBarsKind(kind: TopicKind<BarsParams, Bar>): TopicKind<BarsParams, Bar>;
  /** Generators serve no clients: no WebSocket endpoint. */
  readonly servesClients: boolean;
  /** Whether every Redis connection is up (GET /ready answers 503 otherwise). */
  ready(): boolean;
  start(): void;
  stop(): void;
}

export interface ClusterNodeDependencies {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly emit: EmitEvent;
  /** Topic keys that may be produced (the catalog). */
  readonly topics: readonly string[];
  readonly generate?: BarGenerator;
  /** A generator's id in leases; unique per generator. */
  readonly owner?: string;
}

/** The node for `config.cluster.role`; undefined when standalone (no Redis at all). */
export function createClusterNode(config: Config, dependencies: ClusterNodeDependencies): ClusterNode | undefined {
  switch (config.cluster.role) {
    case 'standalone':
      return undefined;
    case 'gateway':
      return gatewayNode(config, dependencies);
    case 'generator':
      return generatorNode(config, dependencies);
  }
}

function gatewayNode(config: Config, { logger }: ClusterNodeDependencies): ClusterNode {
  const connection = { url: config.cluster.redisUrl, reconnectMaxMs: config.cluster.reconnectMaxMs, logger };
  const subscriber = createRedisConnection({ ...connection, name: 'barcast-gateway-sub' });
  const commands = createRedisConnection({ ...connection, name: 'barcast-gateway' });
  const channels = new RedisChannels(subscriber, (error) => logger.warn({ err: error }, 'redis subscription change failed'));
  const lastFrame = lastFrameReader(commands);
  return {
    adaptBarsKind: (kind) => ({
      ...kind,
      create: (params, context) =>
        channelBarStream({ topic: kind.key(params), channels, lastFrame, reportError: (error) => context.reportError(error) }),
    }),
    servesClients: true,
    ready: () => subscriber.status === 'ready' && commands.status === 'ready',
    start: () => undefined,
    stop: () => {
      closeRedisConnection(subscriber);
      closeRedisConnection(commands);
    },
  };
}

function generatorNode(config: Config, dependencies: ClusterNodeDependencies): ClusterNode {
  const { scheduler, logger, emit, topics, generate } = dependencies;
  const redis = createRedisConnection({
    url: config.cluster.redisUrl,
    reconnectMaxMs: config.cluster.reconnectMaxMs,
    logger,
    name: 'barcast-generator',
  });
  const periodMs = config.broadcaster.interval * 1000;
  const owner = dependencies.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let running: Subscription | undefined;
  return {
    adaptBarsKind: (kind) => kind,
    servesClients: false,
    ready: () => redis.status === 'ready',
    start: () => {
      if (!config.broadcaster.enabled) return;
      logger.info({ owner, topics: topics.length }, 'generator producing demanded topics');
      running = generatorLoop({
        redis,
        topics,
        periodMs,
        leaseIntervals: config.cluster.leaseIntervals,
        seed: config.broadcaster.seed,
        owner,
        scheduler,
        ...(generate ? { generate } : {}),
        reportError: (topic, error) => emit({ type: 'topic_error', topic: topic ?? 'cluster', error }),
      }).subscribe(({ published }) => {
        for (const topic of published) emit({ type: 'topic_update', topic });
      });
    },
    stop: () => {
      running?.unsubscribe();
      closeRedisConnection(redis);
    },
  };
}
