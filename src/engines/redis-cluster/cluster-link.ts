import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { ClusterNodeAddress } from '../../domain/cluster-nodes.js';
import { RedisChannels } from '../redis/channel-subscriber.js';
import { topicClusterKeys } from '../redis/keys.js';
import { slotDeadlineMs } from '../redis/deadline.js';
import { lastFrameReader } from '../redis/last-frame-store.js';
import type { GatewayLink, GeneratorLink } from '../redis/redis-link.js';
import { closeClusterConnection, createClusterConnection } from './cluster-connection.js';
import { shardDemandedTopics } from './shard-demand.js';
import { shardedPubSub } from './sharded-pubsub.js';

export interface ClusterLinkOptions {
  readonly nodes: readonly ClusterNodeAddress[];
  readonly reconnectMaxMs: number;
  readonly logger: Logger;
}

/**
 * A gateway on a Redis Cluster: one cluster client, whose per-primary subscriber connections
 * hold the sharded subscriptions and whose command connections GET each topic's last frame
 * from the shard of its slot. Ready while the client is connected (the slot map is known and a
 * node answers), also with one shard down: it still serves the other shards' topics.
 */
export function clusterGatewayLink({ nodes, reconnectMaxMs, logger }: ClusterLinkOptions): GatewayLink {
  const cluster = createClusterConnection({ nodes, reconnectMaxMs, logger, name: 'barcast-gateway' });
  return {
    name: 'redis cluster',
    channels: new RedisChannels(shardedPubSub(cluster), (error) => logger.warn({ err: error }, 'redis cluster subscription change failed')),
    commands: cluster,
    lastFrame: lastFrameReader(cluster, topicClusterKeys),
    keysOf: topicClusterKeys,
    ready: () => cluster.status === 'ready',
    close: () => closeClusterConnection(cluster),
  };
}

export interface ClusterGeneratorLinkOptions extends ClusterLinkOptions {
  readonly periodMs: number;
  readonly scheduler: SchedulerLike;
  readonly reportError: (error: unknown) => void;
}

/** A generator on a Redis Cluster: demand is SHARDNUMSUB per primary, publishes are SPUBLISH. */
export function clusterGeneratorLink(options: ClusterGeneratorLinkOptions): GeneratorLink {
  const { nodes, reconnectMaxMs, logger, periodMs, scheduler, reportError } = options;
  const cluster = createClusterConnection({ nodes, reconnectMaxMs, logger, name: 'barcast-generator' });
  return {
    name: 'redis cluster',
    commands: cluster,
    keysOf: topicClusterKeys,
    publishCommand: 'SPUBLISH',
    demanded: (topics) => shardDemandedTopics(cluster, topics, { reportError, timeoutMs: slotDeadlineMs(periodMs), scheduler }),
    openConnection: (name) => {
      const own = createClusterConnection({ nodes, reconnectMaxMs, logger, name });
      return { commands: own, close: () => closeClusterConnection(own) };
    },
    ready: () => cluster.status === 'ready',
    close: () => closeClusterConnection(cluster),
  };
}
