import type { Redis } from 'ioredis';
import { topicRedisKeys } from './keys.js';

export interface DemandQuery {
  /** NUMSUB on one Redis; SHARDNUMSUB for sharded channels, asked of the primary that owns them. */
  readonly command: 'NUMSUB' | 'SHARDNUMSUB';
  readonly channelOf: (topic: string) => string;
}

const ONE_REDIS: DemandQuery = { command: 'NUMSUB', channelOf: (topic) => topicRedisKeys(topic).channel };

/**
 * The topics someone in the cluster listens to. A gateway SUBSCRIBEs a topic's channel
 * exactly while it has local subscribers, so PUBSUB NUMSUB is the demand itself: no demand
 * keys to refresh, and a gateway that dies stops counting the moment its connection drops.
 */
export async function demandedTopics(redis: Redis, topics: readonly string[], query: DemandQuery = ONE_REDIS): Promise<string[]> {
  if (topics.length === 0) return [];
  const reply = (await redis.call('PUBSUB', query.command, ...topics.map(query.channelOf))) as unknown[];
  // The reply is [channel, count, channel, count, ...] in the order asked.
  return topics.filter((_topic, index) => Number(reply[index * 2 + 1]) > 0);
}
