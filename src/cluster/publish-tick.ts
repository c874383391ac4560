import type { Redis } from 'ioredis';
import type { TopicRedisKeys } from './keys.js';

/**
 * Publishes one slot of a topic, atomically, only if the caller still holds the lease and
 * the slot is later than the last one published. Lease check, slot guard, storing the last
 * frame and PUBLISH happen in one script, so two generators can never both publish a slot:
 * not when a paused leader wakes up after losing its lease, not right after a failover.
 * A slot may carry more than one frame (the close of the bar that ended since the previous
 * slot, then the slot's own bar): they are published in order and the last one is stored.
 */
const PUBLISH_IF_LEADER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local last = tonumber(redis.call('GET', KEYS[2]))
if last and last >= tonumber(ARGV[2]) then return -2 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[#ARGV])
for index = 4, #ARGV do redis.call('PUBLISH', ARGV[3], ARGV[index]) end
return 1`;

export type PublishOutcome = 'published' | 'not_leader' | 'slot_already_published';

export async function publishTick(
  redis: Redis,
  keys: TopicRedisKeys,
  owner: string,
  slot: number,
  frames: readonly [string, ...string[]],
): Promise<PublishOutcome> {
  const result = await redis.eval(PUBLISH_IF_LEADER, 3, keys.lease, keys.lastSlot, keys.lastFrame, owner, slot, keys.channel, ...frames);
  if (result === 1) return 'published';
  return result === -1 ? 'not_leader' : 'slot_already_published';
}
