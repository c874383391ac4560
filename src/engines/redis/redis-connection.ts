import { type Cluster, Redis } from 'ioredis';
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

/** The first reconnect waits this long; each next one twice as long, up to `reconnectMaxMs`. */
export const RECONNECT_BASE_MS = 50;

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
  logOutagesOnce(redis, options.logger, options.name, 'redis');
  return redis;
}

/** ioredis reports every failed attempt (of every node, on a cluster): log the outage once and the recovery once. */
export function logOutagesOnce(connection: Redis | Cluster, logger: Logger, name: string, what: string): void {
  let down = false;
  connection.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error, connection: name }, `${what} unreachable; reconnecting`);
    down = true;
  });
  connection.on('ready', () => {
    if (down) logger.info({ connection: name }, `${what} reachable again`);
    down = false;
  });
}

/** Closes the connection without waiting for replies that will never matter. */
export function closeRedisConnection(redis: Redis): void {
  redis.disconnect(false);
}
