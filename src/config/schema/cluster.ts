import convict from 'convict';
import { parseClusterNodes } from '../../domain/cluster-nodes.js';
import { range } from './formats.js';

export const CLUSTER_ROLES = ['standalone', 'gateway', 'generator'] as const;

export type ClusterRole = (typeof CLUSTER_ROLES)[number];

convict.addFormat({
  name: 'redis-url',
  validate(value: unknown) {
    if (typeof value !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(value)) {
      throw new Error('must be a Redis URL like redis://127.0.0.1:6379');
    }
  },
});

convict.addFormat({
  name: 'redis-cluster-nodes',
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('must be a list like 10.0.0.1:6379,10.0.0.2:6379');
    parseClusterNodes(value);
  },
});

convict.addFormat({
  name: 'lease-intervals',
  validate(value: unknown) {
    // Over 1 so a leader renews before its lease lapses; under 2 so a lease renewed at slot n
    // has lapsed by slot n + 2, where a standby takes it: a failover within two intervals.
    if (typeof value !== 'number' || !(value > 1 && value < 2)) throw new Error('must be a number over 1 and under 2');
  },
  coerce: (value: unknown) => Number(value),
});

/** The process's role and the Redis (or Redis Cluster) that gateways and generators share. */
export const clusterSchema = {
  role: {
    doc: 'standalone: one process does everything, no Redis. gateway: serves clients from Redis. generator: produces bars into Redis.',
    format: CLUSTER_ROLES,
    default: 'standalone',
    env: 'BARCAST_ROLE',
  },
  redisUrl: {
    doc: 'Redis shared by the gateways and generators (ignored when standalone).',
    format: 'redis-url',
    default: 'redis://127.0.0.1:6379',
    env: 'REDIS_URL',
    // It may carry a password: never echoed in config errors.
    sensitive: true,
  },
  redisClusterNodes: {
    doc:
      'Seed nodes of a Redis Cluster (host:port,host:port,...). When set, gateways and generators use the Redis Cluster ' +
      'engine (sharded pub/sub) instead of the single Redis of REDIS_URL.',
    format: 'redis-cluster-nodes',
    default: '',
    env: 'REDIS_CLUSTER_NODES',
  },
  leaseIntervals: {
    doc: "A generator's lease on a topic lasts this many intervals (over 1, under 2); it is renewed every interval.",
    format: 'lease-intervals',
    default: 1.5,
    env: 'BARCAST_LEASE_INTERVALS',
  },
  reconnectMaxMs: {
    doc: 'Longest wait in milliseconds between two attempts to reconnect to Redis (10-60000).',
    format: range('int', 10, 60_000),
    default: 2000,
    env: 'REDIS_RECONNECT_MAX_MS',
  },
};

export interface ClusterConfig {
  readonly role: ClusterRole;
  readonly redisUrl: string;
  /** Redis Cluster seed nodes, `host:port,...`; empty for a single Redis. */
  readonly redisClusterNodes: string;
  readonly leaseIntervals: number;
  readonly reconnectMaxMs: number;
}
