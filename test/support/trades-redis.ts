import type { ClusterRole } from '../../src/config/schema.js';
import { PUBLISH_TOKEN } from './trade-publisher.js';

/**
 * A minute of bars in 6 real seconds for the Redis trade tests: fast enough that bars close
 * while a test runs, slow enough that a lease outlives the loaded machine's pauses. (A lease is
 * sent to Redis as what is left of it on the fast clock, read there as real milliseconds: 750
 * ms; a slot that fires late by d real ms shortens it by SPEED x d, so a faster clock makes
 * leadership flap under load.)
 */
export const SPEED = 10;
export const INTERVAL_S = 0.5;

/** The config of a cluster member with trade-fed ACME (and BETA) on PostgreSQL at `databaseUrl`. */
export function tradesClusterConfig(role: ClusterRole, redis: { redisUrl?: string; redisClusterNodes?: string }, databaseUrl: string, ingest: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cluster: { role, reconnectMaxMs: 200, ...redis },
    broadcaster: { interval: INTERVAL_S, resolutions: ['1', '5'] },
    // Virtual milliseconds on the fast clock: 120 s of it is 12 s of waiting for an answer.
    ingest: { symbols: ['ACME', 'BETA'], publishTokens: [PUBLISH_TOKEN], latenessMs: 2_000, forwardTimeoutMs: 120_000, ...ingest },
    store: { databaseUrl },
  };
}
