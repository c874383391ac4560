import type { Redis } from 'ioredis';
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
redis.call('SET', KEYS[3], ARGV[4])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

export type PublishOutcome = 'published' | 'not_leader' | 'already_published';

/** Publishes `frame`, the update at event time `ts`, on the topic's channel. */
export async function publishUpdate(redis: Redis, keys: TopicRedisKeys, owner: string, ts: number, frame: string): Promise<PublishOutcome> {
  const result = await redis.eval(PUBLISH_IF_LEADER, 3, keys.lease, keys.lastTs, keys.lastFrame, owner, ts, keys.channel, frame);
  if (result === 1) return 'published';
  return result === -1 ? 'not_leader' : 'already_published';
}
