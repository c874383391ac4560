import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const load = (env: Record<string, string>) => loadConfig({ env: { NODE_ENV: 'test', ...env } });

describe('cluster configuration', () => {
  it('never echoes the Redis URL, which may hold a password, in an error', () => {
    expect(() => load({ REDIS_URL: 'tcp://user:hunter2@127.0.0.1' })).toThrow(ConfigError);
    expect(() => load({ REDIS_URL: 'tcp://user:hunter2@127.0.0.1' })).not.toThrow(/hunter2/);
  });

  it('runs standalone unless told otherwise', () => {
    expect(load({}).cluster).toEqual({
      role: 'standalone',
      redisUrl: 'redis://127.0.0.1:6379',
      redisClusterNodes: '',
      leaseIntervals: 1.5,
      reconnectMaxMs: 2000,
    });
  });

  it('takes the role and Redis from BARCAST_ROLE and REDIS_URL', () => {
    const { cluster } = load({ BARCAST_ROLE: 'gateway', REDIS_URL: 'redis://127.0.0.1:6390', BARCAST_LEASE_INTERVALS: '1.25' });
    expect(cluster).toMatchObject({ role: 'gateway', redisUrl: 'redis://127.0.0.1:6390', leaseIntervals: 1.25 });
  });

  it('takes Redis Cluster seed nodes from REDIS_CLUSTER_NODES', () => {
    const { cluster } = load({ BARCAST_ROLE: 'generator', REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2.internal:7001,[::1]:7002' });
    expect(cluster).toMatchObject({ role: 'generator', redisClusterNodes: '10.0.0.1:7000, redis-2.internal:7001,[::1]:7002' });
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: '10.0.0.1' }, /REDIS_CLUSTER_NODES .*"10\.0\.0\.1" is not host:port/],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:99999' }, /REDIS_CLUSTER_NODES .*"10\.0\.0\.2:99999" is not host:port/],
    [{ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000' }, /REDIS_CLUSTER_NODES/],
    [{ BARCAST_ROLE: 'leader' }, /BARCAST_ROLE/],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, /REDIS_URL .*redis:\/\/127\.0\.0\.1:6379/],
    [{ BARCAST_LEASE_INTERVALS: '1' }, /BARCAST_LEASE_INTERVALS .*over 1 and under 2/],
    [{ BARCAST_LEASE_INTERVALS: '2' }, /BARCAST_LEASE_INTERVALS/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });
});
