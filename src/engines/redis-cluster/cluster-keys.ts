import calculateSlot from 'cluster-key-slot';
import type { TopicRedisKeys } from '../../cluster/keys.js';

/**
 * Where a topic lives in a Redis Cluster: the single-Redis layout with the topic as a hash
 * tag (`barcast:{bars:AAPL:1}`, `barcast:lease:{bars:AAPL:1}`, ...), so the channel, lease
 * and last-frame keys of a topic share one slot. The publish script touches all of them at
 * once, which a cluster only allows within one slot, and a topic's sharded channel lives
 * on the shard that holds its keys.
 */
export function topicClusterKeys(topic: string): TopicRedisKeys {
  const tag = `{${topic}}`;
  return {
    channel: `barcast:${tag}`,
    lease: `barcast:lease:${tag}`,
    lastFrame: `barcast:last:${tag}`,
    lastSlot: `barcast:slot:${tag}`,
  };
}

/** The cluster slot (0..16383) of every key of `topic`. */
export function topicSlot(topic: string): number {
  return calculateSlot(topicClusterKeys(topic).channel);
}
