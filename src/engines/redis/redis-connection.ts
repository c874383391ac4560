import { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import { backoffDelay } from '../../domain/backoff.js';

export interface RedisConnectionOptions {
  readonly url: string;
  /** Longest wait between two reconnect attempts. */
  readonly reconnectMaxMs: number;
  readonly logger: Logger;
  /** Names the connection in logs and in Redis (CLIENT LIST). */
  readonly name: string;
}

const RECONNECT_BASE_MS = 50;

/**
 * A Redis connection that reconnects forever with capped backoff and fails commands at once
 * while it is down (no offline queue): a tick that cannot reach Redis is dropped, not
 * replayed late, and resubscribing is done by the channel subscriber, which knows what is
 * still wanted.
 */
export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const redis = new Redis(options.url, {
    connectionName: options.name,
    enableOfflineQueue: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => backoffDelay(attempt, RECONNECT_BASE_MS, options.reconnectMaxMs),
  });
  let down = false;
  // ioredis reports every failed attempt; log the outage once and the recovery once.
  redis.on('error', (error: Error) => {
    if (!down) options.logger.warn({ err: error, connection: options.name }, 'redis unreachable; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) options.logger.info({ connection: options.name }, 'redis reachable again');
    down = false;
  });
  return redis;
}

/** Closes the connection without waiting for replies that will never matter. */
export function closeRedisConnection(redis: Redis): void {
  redis.disconnect(false);
}
