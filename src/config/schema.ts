import convict from 'convict';
import { parseResolution, type Resolution } from '../domain/resolution.js';
import { isValidSymbol } from '../domain/symbol.js';
import { TICK_SCHEDULES, type TickSchedule } from '../domain/tick-phase.js';
import { parseClusterNodes } from '../domain/cluster-nodes.js';

/** Comma-separated lists arrive from the environment as strings and from JSON as arrays. */
function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
}

convict.addFormat({
  name: 'symbol-list',
  validate(value: unknown) {
    const symbols = listOf(value);
    if (symbols.length === 0) throw new Error('must name at least one symbol');
    const bad = symbols.filter((symbol) => !isValidSymbol(symbol));
    if (bad.length > 0) {
      throw new Error(`invalid symbol(s) ${bad.join(', ')}: use 1-32 of A-Z, 0-9, ".", "_", "-", e.g. AAPL,MSFT`);
    }
  },
  coerce: (value: unknown) => listOf(value),
});

convict.addFormat({
  name: 'resolution-list',
  validate(value: unknown) {
    const spellings = listOf(value);
    if (spellings.length === 0) throw new Error('must name at least one resolution');
    const bad = spellings.filter((spelling) => !parseResolution(spelling));
    if (bad.length > 0) {
      throw new Error(`unknown resolution(s) ${bad.join(', ')}: allowed are 1, 5, 15, 30, 60, 240, D/1D, W/1W, M/1M`);
    }
  },
  coerce: (value: unknown) => [...new Set(listOf(value).map((spelling) => parseResolution(spelling) ?? spelling))],
});

convict.addFormat({
  name: 'string-list',
  validate(value: unknown) {
    if (!Array.isArray(value) && typeof value !== 'string') throw new Error('must be a comma-separated list');
  },
  coerce: (value: unknown) => listOf(value),
});

convict.addFormat({
  name: 'positive-int',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new Error('must be a whole number greater than 0');
    }
  },
  coerce: (value: unknown) => Number(value),
});

convict.addFormat({
  name: 'positive-number',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new Error('must be a number greater than 0');
    }
  },
  coerce: (value: unknown) => Number(value),
});

/** convict's own `int` parses "1.5" as 1; a seed must be exactly what the operator wrote. */
convict.addFormat({
  name: 'strict-integer',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error('must be a whole number');
  },
  coerce: (value: unknown) => Number(value),
});

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

export const CLUSTER_ROLES = ['standalone', 'gateway', 'generator'] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = {
  port: {
    doc: 'TCP port for HTTP and WebSocket (0 picks a free port).',
    format: 'port',
    default: 8000,
    env: 'PORT',
  },
  host: {
    doc: 'Interface to listen on.',
    format: String,
    default: '0.0.0.0',
    env: 'HOST',
  },
  broadcaster: {
    enabled: {
      doc: 'Whether bars are produced at all. When false, subscribes get BROADCASTER_DISABLED.',
      format: Boolean,
      default: true,
      env: 'BAR_BROADCASTER_ENABLED',
    },
    interval: {
      doc: 'Seconds between two updates of a topic.',
      format: 'positive-number',
      default: 2.0,
      env: 'BAR_BROADCASTER_INTERVAL',
    },
    symbols: {
      doc: 'Symbols that may be streamed, comma-separated.',
      format: 'symbol-list',
      default: ['AAPL', 'GOOGL', 'MSFT'],
      env: 'BAR_BROADCASTER_SYMBOLS',
    },
    resolutions: {
      doc: 'Resolutions that may be streamed, comma-separated (1, 5, 15, 30, 60, 240, 1D, 1W, 1M).',
      format: 'resolution-list',
      default: ['1'],
      env: 'BAR_BROADCASTER_RESOLUTIONS',
    },
    seed: {
      doc: 'Seed of the mock market: the same seed replays the same series.',
      format: 'strict-integer',
      default: 42,
      env: 'BAR_BROADCASTER_SEED',
    },
  },
  history: {
    maxBars: {
      doc: 'Most bars one history request (REST or UDF) may return; larger ranges get a 400.',
      format: 'nat',
      default: 5000,
      env: 'HISTORY_MAX_BARS',
    },
  },
  log: {
    level: {
      doc: 'Log level.',
      format: LOG_LEVELS,
      default: 'info',
      env: 'LOG_LEVEL',
    },
  },
  shutdown: {
    timeoutMs: {
      doc: 'Milliseconds stop() waits for sockets to close before destroying them.',
      format: 'nat',
      default: 3000,
      env: 'SHUTDOWN_TIMEOUT_MS',
    },
  },
  limits: {
    maxConnections: {
      doc: 'Most WebSocket connections served at once; further upgrades get HTTP 503.',
      format: 'positive-int',
      default: 10_000,
      env: 'MAX_CONNECTIONS',
    },
    maxPayloadBytes: {
      doc: 'Largest frame a client may send, in bytes; a larger one closes that connection with 1009.',
      format: 'positive-int',
      default: 16 * 1024,
      env: 'WS_MAX_PAYLOAD_BYTES',
    },
    maxSubscriptions: {
      doc: 'Most topics one connection may subscribe to; past it a subscribe gets SUBSCRIPTION_LIMIT.',
      format: 'positive-int',
      default: 100,
      env: 'WS_MAX_SUBSCRIPTIONS',
    },
    messagesPerSecond: {
      doc: 'Sustained message rate a connection may send (token bucket refill); past it, RATE_LIMITED.',
      format: 'positive-number',
      default: 10,
      env: 'WS_RATE_LIMIT_PER_SECOND',
    },
    messageBurst: {
      doc: 'Messages a connection may send at once before the rate limit applies (token bucket size).',
      format: 'positive-int',
      default: 20,
      env: 'WS_RATE_LIMIT_BURST',
    },
    rateLimitCloseAfter: {
      doc: 'Rejected messages a connection may owe the rate limit before it is closed with 1008.',
      format: 'positive-int',
      default: 50,
      env: 'WS_RATE_LIMIT_CLOSE_AFTER',
    },
    bufferSoftBytes: {
      doc: 'Bytes buffered on a socket past which it is lagging: updates are conflated (latest per topic kept).',
      format: 'positive-int',
      default: 64 * 1024,
      env: 'WS_BUFFER_SOFT_BYTES',
    },
    bufferHardBytes: {
      doc: 'Bytes buffered on a socket that close it with 1013 at once (only replies or a huge frame get there).',
      format: 'positive-int',
      default: 1024 * 1024,
      env: 'WS_BUFFER_HARD_BYTES',
    },
    slowConsumerTimeoutMs: {
      doc: 'Milliseconds a socket may lag (stay over bufferSoftBytes) without a break before it is closed with 1013.',
      format: 'nat',
      default: 10_000,
      env: 'WS_SLOW_CONSUMER_TIMEOUT_MS',
    },
    drainCheckMs: {
      doc: 'Milliseconds between checks of a backed-up socket (to flush conflated updates).',
      format: 'positive-int',
      default: 50,
      env: 'WS_DRAIN_CHECK_MS',
    },
  },
  heartbeat: {
    intervalMs: {
      doc: 'Milliseconds between protocol pings; a peer that has not answered by the next one is terminated. 0 turns pings off.',
      format: 'nat',
      default: 30_000,
      env: 'WS_HEARTBEAT_INTERVAL_MS',
    },
  },
  auth: {
    tokens: {
      doc: 'Bearer tokens accepted on the WebSocket upgrade, comma-separated. Empty (with no token file): no auth.',
      format: 'string-list',
      default: [] as string[],
      env: 'AUTH_TOKENS',
      sensitive: true,
    },
    tokenFile: {
      doc: 'File with one accepted bearer token per line (blank lines and # comments ignored), added to auth.tokens.',
      format: String,
      default: '',
      env: 'AUTH_TOKEN_FILE',
    },
    allowedOrigins: {
      doc: 'Origins allowed to open a WebSocket, comma-separated (e.g. https://app.example.com). Empty: any.',
      format: 'string-list',
      default: [] as string[],
      env: 'ALLOWED_ORIGINS',
    },
  },
  cluster: {
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
      doc: 'Longest wait in milliseconds between two attempts to reconnect to Redis.',
      format: 'nat',
      default: 2000,
      env: 'REDIS_RECONNECT_MAX_MS',
    },
  },
  fanout: {
    tickSchedule: {
      doc:
        'When topics tick: "spread" (each symbol at its own offset in the interval, its resolutions together), ' +
        '"aligned" (every topic at the same instant), or "per-topic" (each topic an interval from its first subscriber).',
      format: TICK_SCHEDULES,
      default: 'spread',
      env: 'FANOUT_TICK_SCHEDULE',
    },
    perMessageDeflate: {
      doc: 'Offer permessage-deflate. Off: bar frames are small, and compressing per socket costs more CPU than it saves.',
      format: Boolean,
      default: false,
      env: 'FANOUT_PERMESSAGE_DEFLATE',
    },
    staleAfterIntervals: {
      doc:
        'A bars topic with no update for this many intervals is declared stale: its subscribers get a bars.status ' +
        'message and GET /ready answers 503 until it flows again. 0 turns the check off.',
      format: 'nat',
      default: 3,
      env: 'FANOUT_STALE_AFTER_INTERVALS',
    },
  },
};

export type LogLevel = (typeof LOG_LEVELS)[number];

export type ClusterRole = (typeof CLUSTER_ROLES)[number];

/** The one typed configuration the composition root consumes. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly broadcaster: {
    readonly enabled: boolean;
    readonly interval: number;
    readonly symbols: readonly string[];
    readonly resolutions: readonly Resolution[];
    readonly seed: number;
  };
  readonly history: { readonly maxBars: number };
  readonly log: { readonly level: LogLevel };
  readonly shutdown: { readonly timeoutMs: number };
  readonly limits: {
    readonly maxConnections: number;
    readonly maxPayloadBytes: number;
    readonly maxSubscriptions: number;
    readonly messagesPerSecond: number;
    readonly messageBurst: number;
    readonly rateLimitCloseAfter: number;
    readonly bufferSoftBytes: number;
    readonly bufferHardBytes: number;
    readonly slowConsumerTimeoutMs: number;
    readonly drainCheckMs: number;
  };
  readonly heartbeat: { readonly intervalMs: number };
  readonly auth: {
    readonly tokens: readonly string[];
    readonly tokenFile: string;
    readonly allowedOrigins: readonly string[];
  };
  readonly cluster: {
    readonly role: ClusterRole;
    readonly redisUrl: string;
    /** Redis Cluster seed nodes, `host:port,...`; empty for a single Redis. */
    readonly redisClusterNodes: string;
    readonly leaseIntervals: number;
    readonly reconnectMaxMs: number;
  };
  readonly fanout: { readonly tickSchedule: TickSchedule; readonly perMessageDeflate: boolean; readonly staleAfterIntervals: number };
}
