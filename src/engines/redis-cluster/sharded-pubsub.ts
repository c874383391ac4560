import type { Cluster } from 'ioredis';
import type { PubSubConnection } from '../redis/channel-subscriber.js';

/**
 * Sharded pub/sub on a Redis Cluster, for `RedisChannels`. ioredis (`shardedSubscribers`)
 * keeps one subscriber connection per primary that owns a wanted channel, and moves the
 * subscriptions when the slot map changes: a failover, a slot migrated, or the unsolicited
 * SUNSUBSCRIBE a shard sends its subscribers when it gives a slot away. It resubscribes
 * without waiting for the replies, then emits `subscribersReady`; `RedisChannels` answers
 * that by subscribing every wanted channel again (SSUBSCRIBE of a subscribed channel changes
 * nothing) and, once each is confirmed, lets its stream refetch what it may have missed.
 */
export function shardedPubSub(cluster: Cluster): PubSubConnection {
  return {
    isReady: () => cluster.status === 'ready',
    subscribe: (channel) => cluster.ssubscribe(channel),
    unsubscribe: (channel) => cluster.sunsubscribe(channel),
    onMessage: (listener) => cluster.on('smessage', listener),
    onResubscribe: (listener) => {
      cluster.on('ready', listener);
      cluster.on('subscribersReady', listener);
    },
  };
}
