import { Cluster } from 'ioredis';
import type { ClusterNodeAddress } from '../../domain/cluster-nodes.js';
import { backoffDelay } from '../../domain/backoff.js';
import { logOutagesOnce, RECONNECT_BASE_MS, type RedisConnectionOptions } from '../redis/redis-connection.js';

export interface ClusterConnectionOptions extends Omit<RedisConnectionOptions, 'url'> {
  /** Seed nodes; the rest of the cluster is discovered from them (CLUSTER SLOTS). */
  readonly nodes: readonly ClusterNodeAddress[];
}

/**
 * How often the slot map is reread even when no command was redirected. A generator reads
 * demand with PUBSUB SHARDNUMSUB, which is not a keyed command and is never answered MOVED,
 * so after a slot moved only this notices it: the longest pause a resharding can cause.
 */
export const SLOTS_REFRESH_MS = 1_000;

/**
 * A Redis Cluster client for one role: commands are routed to the shard of their keys, and
 * sharded subscriptions (SSUBSCRIBE) are held by one subscriber connection per primary that
 * serves a wanted channel (ioredis's `shardedSubscribers`), moved by ioredis when the slot
 * map changes (failover, resharding, an unsolicited SUNSUBSCRIBE).
 *
 * As with one Redis, a command fails at once while its shard is unreachable (no offline
 * queue, no retries): a slot that cannot reach Redis is dropped, not replayed late.
 */
export function createClusterConnection(options: ClusterConnectionOptions): Cluster {
  const cluster = new Cluster(
    options.nodes.map(({ host, port }) => ({ host, port })),
    {
      shardedSubscribers: true,
      enableOfflineQueue: false,
      slotsRefreshInterval: SLOTS_REFRESH_MS,
      // A command to a shard that just died is retried a few times (a promotion may be under
      // way), then fails: it must not hold up the slot of every other shard's topics.
      maxRedirections: 4,
      retryDelayOnFailover: 50,
      clusterRetryStrategy: (attempt) => backoffDelay(attempt, RECONNECT_BASE_MS, options.reconnectMaxMs),
      redisOptions: {
        connectionName: options.name,
        maxRetriesPerRequest: 0,
      },
    },
  );
  logOutagesOnce(cluster, options.logger, options.name, 'a redis cluster node');
  cluster.on('node error', (error: Error, node: string) => options.logger.debug({ err: error, node, connection: options.name }, 'redis cluster node error'));
  return cluster;
}

/** Closes every connection of the cluster client without waiting for replies. */
export function closeClusterConnection(cluster: Cluster): void {
  cluster.disconnect(false);
}
