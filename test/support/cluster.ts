import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { testApps, TestClient } from '../../src/testing/index.js';
import type { ClusterRole } from '../../src/config/schema.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** Test intervals are short so failover and recovery tests take a second, not a minute. */
export const CLUSTER_INTERVAL_MS = 100;

/** Config overrides for an in-process cluster member on `redisUrl`. */
export function clusterOverrides(role: ClusterRole, redisUrl: string, intervalMs = CLUSTER_INTERVAL_MS): Record<string, unknown> {
  return { cluster: { role, redisUrl, reconnectMaxMs: 200 }, broadcaster: { interval: intervalMs / 1000 } };
}

/** A plain Redis client for a test to look at the cluster's state from outside. */
export function redisClient(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
}

/**
 * A redis-server for the whole test file (started in beforeAll, stopped in afterAll) and a
 * plain client on it. Read the fields inside tests and hooks, not at module level.
 */
export function useRedisServer(): { readonly server: RedisServer; readonly redis: Redis } {
  const handle = {} as { server: RedisServer; redis: Redis };
  beforeAll(async () => {
    handle.server = await startRedisServer();
    handle.redis = redisClient(handle.server.url);
  });
  afterAll(async () => {
    handle.redis.disconnect();
    await handle.server.stop();
  });
  return handle;
}

/**
 * Polls `probe` until it returns something other than undefined; bounded, so a condition
 * that never comes fails the test with `what` instead of hanging it.
 */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Records every frame published on a channel, as a gateway would receive it. */
export async function recordChannel(url: string, channel: string): Promise<{ readonly frames: string[]; close(): void }> {
  const redis = redisClient(url);
  const frames: string[] = [];
  redis.on('message', (_channel: string, text: string) => frames.push(text));
  await redis.subscribe(channel);
  return { frames, close: () => redis.disconnect() };
}

export async function httpStatus(url: string): Promise<number> {
  return (await fetch(url)).status;
}

/**
 * A test file's Redis bed: one redis-server for the file, emptied before each test; the apps
 * and clients a test started are stopped after it. Read `server` and `redis` inside tests.
 */
export function redisTestBed(): {
  readonly apps: ReturnType<typeof testApps>;
  readonly server: RedisServer;
  readonly redis: Redis;
  connect(wsUrl: string): Promise<TestClient>;
} {
  const local = useRedisServer();
  const apps = testApps();
  const clients: TestClient[] = [];
  beforeEach(async () => {
    await local.redis.flushall();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await apps.stopAll();
  });
  return {
    apps,
    get server() {
      return local.server;
    },
    get redis() {
      return local.redis;
    },
    async connect(wsUrl) {
      const client = await TestClient.connect(wsUrl);
      clients.push(client);
      return client;
    },
  };
}
