import type { Cluster, Redis } from 'ioredis';
import type { TopicRedisKeys } from './keys.js';

/**
 * Publishes one update of a topic, atomically, only if the caller still holds the lease and
 * the update is later than the last one published. Lease check, time guard, storing the last
 * frame and PUBLISH happen in one script, so two generators can never both publish an
 * update: not when a paused leader wakes up after losing its lease, not right after a failover.
 */
const PUBLISH_IF_LEADER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local last = tonumber(redis.call('GET', KEYS[2]))
if last and last >= tonumber(ARGV[2]) then return -2 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
if ARGV[4] == 'SPUBLISH' then redis.call('SPUBLISH', KEYS[4], ARGV[3]) else redis.call('PUBLISH', KEYS[4], ARGV[3]) end
return 1`;

/**
 * PUBLISH on one Redis; SPUBLISH (sharded pub/sub) on a Redis Cluster, where the channel is
 * declared with the keys (KEYS[4]) so the script runs on the shard of the topic's slot.
 */
export type PublishCommand = 'PUBLISH' | 'SPUBLISH';

export type PublishOutcome = 'published' | 'not_leader' | 'already_published';

/** Publishes `frame`, the update at event time `ts`, on the topic's channel. */
export async function publishUpdate(
  redis: Redis | Cluster,
  keys: TopicRedisKeys,
  owner: string,
  ts: number,
  frame: string,
  command: PublishCommand = 'PUBLISH',
): Promise<PublishOutcome> {
  const result = await redis.eval(PUBLISH_IF_LEADER, 4, keys.lease, keys.lastTs, keys.lastFrame, keys.channel, owner, ts, frame, command);
  if (result === 1) return 'published';
  return result === -1 ? 'not_leader' : 'already_published';
}
