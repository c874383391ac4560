import type { Cluster, Redis } from 'ioredis';

/**
 * Extends the lease only if `owner` still holds it. A plain PEXPIREAT could extend a lease
 * that lapsed and was taken by another generator in the meantime; comparing and renewing
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
 * to take it with SET NX, which succeeds only once it has lapsed.
 *
 * The lease runs until a time computed from the slot (`expiresAtMs`, on the process's clock),
 * not from when the command happens to run: a leader whose tick runs late does not push its
 * lease later, so the slot at which a standby takes over is fixed by the clock. It is sent to
 * Redis as what is left of it (PX, measured at `nowMs`), not as an absolute time (PXAT), so a
 * process whose clock is off from Redis's neither stretches nor cuts its lease.
 */
export async function renewOrAcquireLease(
  redis: Redis | Cluster,
  key: string,
  owner: string,
  expiresAtMs: number,
  nowMs: number = Date.now(),
): Promise<LeaseState> {
  const remainingMs = Math.max(1, Math.round(expiresAtMs - nowMs));
  const renewed = await redis.eval(RENEW_IF_OWNER, 1, key, owner, remainingMs);
  if (renewed === 1) return 'renewed';
  const acquired = await redis.set(key, owner, 'PX', remainingMs, 'NX');
  return acquired === 'OK' ? 'acquired' : 'held_by_other';
}

/** Deletes the lease only if `owner` still holds it (a lease that lapsed and was taken by another stays theirs). */
const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Gives a lease up at once, on a clean stop: a standby takes the topic at its next slot
 * instead of waiting for the lease to lapse (up to `leaseIntervals`), which for a trade-fed
 * symbol is how long publishes would go unanswered during a rolling restart. Resolves with
 * whether this owner held it.
 */
export async function releaseLease(redis: Redis | Cluster, key: string, owner: string): Promise<boolean> {
  return (await redis.eval(RELEASE_IF_OWNER, 1, key, owner)) === 1;
}
