import type { SchedulerLike, Subscription } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { BarEngine, Readiness } from '../../streams/bar-source.js';
import { BARS_TOPIC } from '../../streams/bars-topic.js';
import { barsTopicKey, parseBarsTopicKey } from '../../domain/topic.js';
import { channelBarStream } from './channel-bar-stream.js';
import { RedisChannels } from './channel-subscriber.js';
import { generatorLoop } from './generator.js';
import { lastFrameReader } from './last-frame-store.js';
import { closeRedisConnection, createRedisConnection } from './redis-connection.js';

/** The `cluster` config section: all the Redis engines read. */
export interface RedisEngineConfig {
  readonly redisUrl: string;
  readonly reconnectMaxMs: number;
  readonly leaseIntervals: number;
}

export interface RedisGeneratorOptions {
  /** Topic keys that may be produced (the catalog, and the base topics derived ones need). */
  readonly topics: readonly string[];
  readonly periodMs: number;
  /** This generator's id in leases; unique per process. */
  readonly owner: string;
  /** Computes the bars: the in-process engine, as standalone runs it. */
  readonly compute: BarEngine;
  readonly onLeadership?: (topic: string, leading: boolean) => void;
}

export interface RedisEngineDependencies {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Reports a failure that is not one topic's (counted, logged). */
  readonly reportError: (topic: string | undefined, error: unknown) => void;
}

const REDIS_DOWN: Readiness = { ready: false, reason: 'redis unreachable' };

/**
 * A gateway on one Redis: every bars topic is the topic's Redis channel, carrying the frames a
 * generator published (numbered there, so every gateway sends the same bytes). The first local
 * subscriber SUBSCRIBEs the channel and the last one UNSUBSCRIBEs it (the hub's refcount),
 * which is what tells generators a topic is wanted.
 */
export function redisGatewayEngine(config: RedisEngineConfig, { logger }: RedisEngineDependencies): BarEngine {
  const connection = { url: config.redisUrl, reconnectMaxMs: config.reconnectMaxMs, logger };
  const subscriber = createRedisConnection({ ...connection, name: 'barcast-gateway-sub' });
  const commands = createRedisConnection({ ...connection, name: 'barcast-gateway' });
  const channels = new RedisChannels(subscriber, (error) => logger.warn({ err: error }, 'redis subscription change failed'));
  const lastFrame = lastFrameReader(commands);
  return {
    bars: (topic, context) =>
      channelBarStream({ topic: barsTopicKey(topic.symbol, topic.resolution), channels, lastFrame, reportError: (error) => context.reportError(error) }),
    servesClients: true,
    readiness: () => (subscriber.status === 'ready' && commands.status === 'ready' ? { ready: true } : REDIS_DOWN),
    start: () => undefined,
    stop: async () => {
      closeRedisConnection(subscriber);
      closeRedisConnection(commands);
    },
  };
}

/**
 * A generator on one Redis: serves no clients; computes each topic in demand with the
 * in-process engine (the very pipeline standalone runs, through this process's hub) and,
 * while it holds the topic's lease, publishes every update. Not ready while Redis is away or
 * while its publishes fail (out of memory, say): clients would hear nothing from it.
 */
export function redisGeneratorEngine(config: RedisEngineConfig, options: RedisGeneratorOptions, dependencies: RedisEngineDependencies): BarEngine {
  const { logger, scheduler, reportError } = dependencies;
  const redis = createRedisConnection({ url: config.redisUrl, reconnectMaxMs: config.reconnectMaxMs, logger, name: 'barcast-generator' });
  let publishing: 'ok' | 'failing' = 'ok';
  let running: Subscription | undefined;
  return {
    bars: (topic, context) => options.compute.bars(topic, context),
    servesClients: false,
    readiness: () => {
      if (redis.status !== 'ready') return REDIS_DOWN;
      return publishing === 'ok' ? { ready: true } : { ready: false, reason: 'publishes to redis fail' };
    },
    start: (hub) => {
      logger.info({ owner: options.owner, topics: options.topics.length }, 'generator producing demanded topics');
      running = generatorLoop({
        redis,
        topics: options.topics,
        periodMs: options.periodMs,
        leaseIntervals: config.leaseIntervals,
        owner: options.owner,
        scheduler,
        updates: (key) => {
          const topic = parseBarsTopicKey(key);
          if (!topic) throw new Error(`not a bars topic: ${key}`);
          return hub.updates(BARS_TOPIC, topic);
        },
        reportError,
        onPublished: (_topic, ok) => {
          publishing = ok ? 'ok' : 'failing';
        },
        ...(options.onLeadership ? { onLeadership: options.onLeadership } : {}),
      }).subscribe();
    },
    stop: async () => {
      running?.unsubscribe();
      closeRedisConnection(redis);
    },
  };
}
