import type { Redis } from 'ioredis';

/**
 * Extends the lease only if `owner` still holds it. A plain PEXPIRE could extend a lease
 * that expired and was taken by another generator in the meantime; comparing and renewing
 * in one script cannot.
 */
const RENEW_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

export type LeaseState = 'renewed' | 'acquired' | 'held_by_other';

/**
 * One tick of a topic's lease: the holder renews it (compare-and-renew), anyone else tries
 * to take it with SET NX PX, which succeeds only once it has expired.
 */
export async function renewOrAcquireLease(redis: Redis, key: string, owner: string, ttlMs: number): Promise<LeaseState> {
  const renewed = await redis.eval(RENEW_IF_OWNER, 1, key, owner, ttlMs);
  if (renewed === 1) return 'renewed';
  const acquired = await redis.set(key, owner, 'PX', ttlMs, 'NX');
  return acquired === 'OK' ? 'acquired' : 'held_by_other';
}
