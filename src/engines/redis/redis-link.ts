import type { Cluster, Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import type { ChannelSource } from './channel-subscriber.js';
import { classicPubSub, RedisChannels } from './channel-subscriber.js';
import { demandedTopics } from './demand.js';
import { topicRedisKeys, type TopicRedisKeys } from './keys.js';
import { lastFrameReader } from './last-frame-store.js';
import type { PublishCommand } from './publish-update.js';
import type { Logger } from '../../logger.js';
import { closeRedisConnection, createRedisConnection } from './redis-connection.js';

/**
 * How a gateway reaches its Redis: one Redis (`singleRedisGatewayLink`) or a Redis Cluster
 * (engines/redis-cluster). The gateway engine is the same code on both; only this differs.
 */
export interface GatewayLink {
  /** What it is, for readiness reasons and logs: `redis`, `redis cluster`. */
  readonly name: string;
  readonly channels: ChannelSource;
  /** Runs commands (the XADD of forwarded trades; on a cluster: on the shard of the key's slot). */
  readonly commands: Redis | Cluster;
  /** The topic's last published frame (a GET). */
  readonly lastFrame: (topic: string) => Observable<string | undefined>;
  keysOf(topic: string): TopicRedisKeys;
  ready(): boolean;
  close(): void;
}

/** How a generator reaches its Redis: one Redis, or a Redis Cluster. */
export interface GeneratorLink {
  readonly name: string;
  /** Runs the lease commands and the publish script (on a cluster: on the shard of the topic's slot). */
  readonly commands: Redis | Cluster;
  keysOf(topic: string): TopicRedisKeys;
  readonly publishCommand: PublishCommand;
  /** Of `topics`, those some gateway subscribes to. */
  demanded(topics: readonly string[]): Promise<string[]>;
  /** A connection of its own to the same Redis, for a blocking read (XREAD BLOCK of a trade stream). */
  openConnection(name: string): { readonly commands: Redis | Cluster; close(): void };
  ready(): boolean;
  close(): void;
}

export interface SingleRedisLinkOptions {
  readonly redisUrl: string;
  readonly reconnectMaxMs: number;
  readonly logger: Logger;
}

/** A gateway on one Redis: a subscriber connection and one for commands. */
export function singleRedisGatewayLink({ redisUrl, reconnectMaxMs, logger }: SingleRedisLinkOptions): GatewayLink {
  const connection = { url: redisUrl, reconnectMaxMs, logger };
  const subscriber = createRedisConnection({ ...connection, name: 'barcast-gateway-sub' });
  const commands = createRedisConnection({ ...connection, name: 'barcast-gateway' });
  return {
    name: 'redis',
    channels: new RedisChannels(classicPubSub(subscriber), (error) => logger.warn({ err: error }, 'redis subscription change failed')),
    commands,
    lastFrame: lastFrameReader(commands),
    keysOf: topicRedisKeys,
    ready: () => subscriber.status === 'ready' && commands.status === 'ready',
    close: () => {
      closeRedisConnection(subscriber);
      closeRedisConnection(commands);
    },
  };
}

/** A generator on one Redis: one connection; demand is NUMSUB, publishes are PUBLISH. */
export function singleRedisGeneratorLink({ redisUrl, reconnectMaxMs, logger }: SingleRedisLinkOptions): GeneratorLink {
  const redis = createRedisConnection({ url: redisUrl, reconnectMaxMs, logger, name: 'barcast-generator' });
  return {
    name: 'redis',
    commands: redis,
    keysOf: topicRedisKeys,
    publishCommand: 'PUBLISH',
    demanded: (topics) => demandedTopics(redis, topics),
    openConnection: (name) => {
      const own = createRedisConnection({ url: redisUrl, reconnectMaxMs, logger, name });
      return { commands: own, close: () => closeRedisConnection(own) };
    },
    ready: () => redis.status === 'ready',
    close: () => closeRedisConnection(redis),
  };
}
