import convict from 'convict';
import { parseResolution, type Resolution } from '../domain/resolution.js';
import { isValidSymbol } from '../domain/symbol.js';
import { TICK_SCHEDULES, type TickSchedule } from '../domain/tick-phase.js';
import { parseClusterNodes } from '../domain/cluster-nodes.js';
import { storeSchema, type StoreConfig } from './store-schema.js';
import { ingestSchema, type IngestConfig } from './ingest-schema.js';

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

/**
 * A numeric format with a sane range, registered with convict on first use and named after
 * it (`int 1..100000`), so every numeric setting states its bounds where it is declared and a
 * value outside them stops start-up with a message naming both ends.
 */
function range(kind: 'int' | 'number', min: number, max: number): string {
  const name = `${kind} ${min}..${max}`;
  if (!registeredRanges.has(name)) {
    registeredRanges.add(name);
    const what = kind === 'int' ? 'a whole number' : 'a number';
    convict.addFormat({
      name,
      validate(value: unknown) {
        const ok = typeof value === 'number' && (kind === 'int' ? Number.isSafeInteger(value) : Number.isFinite(value)) && value >= min && value <= max;
        if (!ok) throw new Error(`must be ${what} from ${min} to ${max}`);
      },
      coerce: (value: unknown) => Number(value),
    });
  }
  return name;
}
const registeredRanges = new Set<string>();

/**
 * The broadcaster interval: timers tick in whole milliseconds (Node clamps anything under
 * 1 ms to 1 ms), so the interval is a whole number of milliseconds from 1 ms to an hour.
 */
convict.addFormat({
  name: 'tick-interval',
  validate(value: unknown) {
    const ms = typeof value === 'number' ? value * 1000 : Number.NaN;
    if (!(ms >= 1 && ms <= 3_600_000 && Math.abs(ms - Math.round(ms)) < 1e-6)) {
      throw new Error('must be a number of seconds from 0.001 to 3600, in whole milliseconds (timers cannot tick faster or finer)');
    }
  },
  coerce: (value: unknown) => Number(value),
});

/** Pings every 10 ms at the most often; 0 turns them off. */
convict.addFormat({
  name: 'heartbeat-interval',
  validate(value: unknown) {
    if (!(typeof value === 'number' && Number.isSafeInteger(value) && (value === 0 || (value >= 10 && value <= 3_600_000)))) {
      throw new Error('must be 0 (off) or a whole number of milliseconds from 10 to 3600000');
    }
  },
  coerce: (value: unknown) => Number(value),
});

/** convict's own `int` parses "1.5" as 1; a seed must be exactly what the operator wrote. */
convict.addFormat({
  name: 'strict-integer',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error('must be a whole number (a safe integer)');
  },
  coerce: (value: unknown) => Number(value),
});

/** A UTC calendar date, `YYYY-MM-DD`, from 1900 on. */
convict.addFormat({
  name: 'utc-date',
  validate(value: unknown) {
    const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
    const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
    if (!match || Number(match[1]) < 1900 || new Date(time).toISOString().slice(0, 10) !== value) {
      throw new Error('must be a date YYYY-MM-DD (UTC) from 1900 on, e.g. 2020-01-01');
    }
  },
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

convict.addFormat({
  name: 'jwt-secret',
  validate(value: unknown) {
    // HS256 wants a key as long as its hash (32 bytes); a short secret can be brute-forced offline.
    if (typeof value !== 'string' || (value.length > 0 && Buffer.byteLength(value, 'utf8') < 32)) {
      throw new Error('must be empty or at least 32 bytes long');
    }
  },
});

export const CLUSTER_ROLES = ['standalone', 'gateway', 'generator'] as const;

/** What serves the WebSocket endpoint: ws on the HTTP port, or uWebSockets.js on its own port (docs/operations.md). */
export const TRANSPORT_ENGINES = ['ws', 'uws'] as const;

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
      doc: 'Seconds between two updates of a topic: 0.001 to 3600, in whole milliseconds.',
      format: 'tick-interval',
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
      doc: 'Seed of the mock market: the same seed replays the same series. Any safe integer.',
      format: 'strict-integer',
      default: 42,
      env: 'BAR_BROADCASTER_SEED',
    },
  },
  history: {
    maxBars: {
      doc: 'Most bars one history request (REST or UDF) may return (1-100000); larger ranges get a 400.',
      format: range('int', 1, 100_000),
      default: 5000,
      env: 'HISTORY_MAX_BARS',
    },
    maxCost: {
      doc:
        'Most one history request may cost to compute, in day bars (a minute-to-daily bar costs 1, a weekly 7, a monthly its days; ' +
        '1-10000000); a costlier range gets a 400. The default is about 0.1 s of CPU, served in slices.',
      format: range('int', 1, 10_000_000),
      default: 50_000,
      env: 'HISTORY_MAX_COST',
    },
    cacheBars: {
      doc: 'Closed history bars kept in memory (an LRU of 64-bar chunks, about 100 bytes a bar; 0-10000000, 0 turns it off).',
      format: range('int', 0, 10_000_000),
      default: 100_000,
      env: 'HISTORY_CACHE_BARS',
    },
    listingDate: {
      doc: "The day every symbol's series starts (UTC, YYYY-MM-DD): its first bar is the first period starting on or after it; before it history is empty.",
      format: 'utc-date',
      default: '2020-01-01',
      env: 'HISTORY_LISTING_DATE',
    },
    rateLimit: {
      doc: 'History and UDF requests one client (IP address) may make per window (1-100000); past it, 429 with Retry-After.',
      format: range('int', 1, 100_000),
      default: 120,
      env: 'HISTORY_RATE_LIMIT',
    },
    rateWindowMs: {
      doc: 'Milliseconds of the history and UDF rate-limit window (100-3600000).',
      format: range('int', 100, 3_600_000),
      default: 10_000,
      env: 'HISTORY_RATE_WINDOW_MS',
    },
  },
  http: {
    headersTimeoutMs: {
      doc: "Milliseconds a connection may take to send a request's headers (100-120000); then 408 and closed. Covers idle and trickling connections.",
      format: range('int', 100, 120_000),
      default: 5_000,
      env: 'HTTP_HEADERS_TIMEOUT_MS',
    },
    requestTimeoutMs: {
      doc: 'Milliseconds a whole HTTP request may take to arrive (100-600000, at least headersTimeoutMs); then 408 and closed.',
      format: range('int', 100, 600_000),
      default: 10_000,
      env: 'HTTP_REQUEST_TIMEOUT_MS',
    },
    keepAliveTimeoutMs: {
      doc: 'Milliseconds an idle keep-alive connection stays open between two requests (100-600000).',
      format: range('int', 100, 600_000),
      default: 5_000,
      env: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    },
    upgradeTimeoutMs: {
      doc: 'Milliseconds from a complete upgrade request to an open WebSocket (100-60000); a handshake still pending then is cut.',
      format: range('int', 100, 60_000),
      default: 5_000,
      env: 'WS_UPGRADE_TIMEOUT_MS',
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
      doc: 'Milliseconds stop() waits for sockets to close before destroying them (0-4000: under the 5 s exit deadline of a signal).',
      format: range('int', 0, 4_000),
      default: 3000,
      env: 'SHUTDOWN_TIMEOUT_MS',
    },
  },
  limits: {
    maxConnections: {
      doc: 'Most WebSocket connections served at once (1-1000000); further upgrades get HTTP 503.',
      format: range('int', 1, 1_000_000),
      default: 10_000,
      env: 'MAX_CONNECTIONS',
    },
    maxHttpConnections: {
      doc:
        'TCP connections allowed on top of maxConnections for plain HTTP and handshakes not yet upgraded (1-1000000); ' +
        'past maxConnections + this, new connections are dropped at once.',
      format: range('int', 1, 1_000_000),
      default: 1_000,
      env: 'MAX_HTTP_CONNECTIONS',
    },
    maxHandshakesPerIp: {
      doc: 'Connections one IP address may have open that have not yet sent a complete request (1-100000); further ones are dropped at once.',
      format: range('int', 1, 100_000),
      default: 50,
      env: 'MAX_HANDSHAKES_PER_IP',
    },
    maxPayloadBytes: {
      doc: 'Largest frame a client may send, in bytes (128-16777216); a larger one closes that connection with 1009.',
      format: range('int', 128, 16 * 1024 * 1024),
      default: 16 * 1024,
      env: 'WS_MAX_PAYLOAD_BYTES',
    },
    maxSubscriptions: {
      doc: 'Most topics one connection may subscribe to (1-100000); past it a subscribe gets SUBSCRIPTION_LIMIT.',
      format: range('int', 1, 100_000),
      default: 100,
      env: 'WS_MAX_SUBSCRIPTIONS',
    },
    messagesPerSecond: {
      doc: 'Sustained message rate a connection may send (token bucket refill, 0.001-10000000); past it, RATE_LIMITED.',
      format: range('number', 0.001, 10_000_000),
      default: 10,
      env: 'WS_RATE_LIMIT_PER_SECOND',
    },
    messageBurst: {
      doc: 'Messages a connection may send at once before the rate limit applies (token bucket size, 1-10000000).',
      format: range('int', 1, 10_000_000),
      default: 20,
      env: 'WS_RATE_LIMIT_BURST',
    },
    rateLimitCloseAfter: {
      doc: 'Rejected messages a connection may owe the rate limit before it is closed with 1008 (1-1000000).',
      format: range('int', 1, 1_000_000),
      default: 50,
      env: 'WS_RATE_LIMIT_CLOSE_AFTER',
    },
    bufferSoftBytes: {
      doc: 'Bytes buffered on a socket past which it is lagging: updates are conflated (latest per topic kept). 1-1073741824.',
      format: range('int', 1, 1024 * 1024 * 1024),
      default: 64 * 1024,
      env: 'WS_BUFFER_SOFT_BYTES',
    },
    bufferHardBytes: {
      doc: 'Bytes buffered on a socket that close it with 1013 at once (only replies or a huge frame get there). 1-1073741824.',
      format: range('int', 1, 1024 * 1024 * 1024),
      default: 1024 * 1024,
      env: 'WS_BUFFER_HARD_BYTES',
    },
    slowConsumerTimeoutMs: {
      doc: 'Milliseconds a socket may lag (stay over bufferSoftBytes) without a break before it is closed with 1013 (0-3600000).',
      format: range('int', 0, 3_600_000),
      default: 10_000,
      env: 'WS_SLOW_CONSUMER_TIMEOUT_MS',
    },
    drainCheckMs: {
      doc: 'Milliseconds between checks of a backed-up socket, to flush conflated updates (1-10000).',
      format: range('int', 1, 10_000),
      default: 50,
      env: 'WS_DRAIN_CHECK_MS',
    },
  },
  heartbeat: {
    intervalMs: {
      doc: 'Milliseconds between protocol pings (0, or 10-3600000); a peer that has not answered by the next one is terminated. 0 turns pings off.',
      format: 'heartbeat-interval',
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
      doc: 'Origins allowed to open a WebSocket or call the history/UDF API from a browser, comma-separated (e.g. https://app.example.com). Empty: any.',
      format: 'string-list',
      default: [] as string[],
      env: 'ALLOWED_ORIGINS',
    },
    jwtSecret: {
      doc: 'Shared secret (at least 32 bytes) that verifies HS256/HS384/HS512 JWTs. Empty: no HMAC JWTs.',
      format: 'jwt-secret',
      default: '',
      env: 'AUTH_JWT_SECRET',
      sensitive: true,
    },
    jwtKeyFile: {
      doc: 'File with the public key (PEM, RSA or EC) or a JWKS (JSON) that verifies RS*/PS*/ES* JWTs. Empty: none.',
      format: String,
      default: '',
      env: 'AUTH_JWT_KEY_FILE',
    },
    jwtAudience: {
      doc: 'When set, a JWT must name this audience in its aud claim.',
      format: String,
      default: '',
      env: 'AUTH_JWT_AUDIENCE',
    },
    jwtIssuer: {
      doc: 'When set, a JWT must name this issuer in its iss claim.',
      format: String,
      default: '',
      env: 'AUTH_JWT_ISSUER',
    },
    jwtClockSkewSeconds: {
      doc: 'Seconds of clock difference tolerated on exp and nbf (0-300; at the upgrade and for the expiry close).',
      format: range('int', 0, 300),
      default: 5,
      env: 'AUTH_JWT_CLOCK_SKEW_SECONDS',
    },
    expiryWarningSeconds: {
      doc: 'Seconds before a JWT expires that its connection is sent auth.expiring (0-3600; at once if it has less left).',
      format: range('int', 0, 3600),
      default: 60,
      env: 'AUTH_EXPIRY_WARNING_SECONDS',
    },
    maxTokenBytes: {
      doc: 'Longest token accepted, in bytes (256-16384, under Node\'s header limit); a longer one is refused with 401 before any parsing.',
      format: range('int', 256, 16_384),
      default: 4096,
      env: 'AUTH_MAX_TOKEN_BYTES',
    },
    metricsPublic: {
      doc: 'Whether /metrics and /api/v1/broadcaster/metrics are open to anyone while access control is on (false: they need a token too).',
      format: Boolean,
      default: false,
      env: 'METRICS_PUBLIC',
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
      doc: 'Longest wait in milliseconds between two attempts to reconnect to Redis (10-60000).',
      format: range('int', 10, 60_000),
      default: 2000,
      env: 'REDIS_RECONNECT_MAX_MS',
    },
  },
  transport: {
    engine: {
      doc:
        'What serves the WebSocket endpoint: "ws" (ws, on the HTTP port) or "uws" (uWebSockets.js, on its own port ' +
        'transport.uwsPort; needs the optional dependency @trufflesuite/uws-js-unofficial and its native binary).',
      format: TRANSPORT_ENGINES,
      default: 'ws',
      env: 'WS_ENGINE',
    },
    uwsPort: {
      doc: 'With transport.engine "uws": the TCP port of the WebSocket endpoint, on the same host as HTTP (0 picks a free port).',
      format: 'port',
      default: 8001,
      env: 'UWS_PORT',
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
        'message and GET /ready answers 503 until it flows again (0-1000). 0 turns the check off.',
      format: range('int', 0, 1_000),
      default: 3,
      env: 'FANOUT_STALE_AFTER_INTERVALS',
    },
  },
  store: storeSchema,
  ingest: ingestSchema,
};

export type LogLevel = (typeof LOG_LEVELS)[number];

export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export type TransportEngine = (typeof TRANSPORT_ENGINES)[number];

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
  readonly history: {
    readonly maxBars: number;
    readonly maxCost: number;
    readonly cacheBars: number;
    readonly listingDate: string;
    readonly rateLimit: number;
    readonly rateWindowMs: number;
  };
  readonly http: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly upgradeTimeoutMs: number;
  };
  readonly log: { readonly level: LogLevel };
  readonly shutdown: { readonly timeoutMs: number };
  readonly limits: {
    readonly maxConnections: number;
    readonly maxHttpConnections: number;
    readonly maxHandshakesPerIp: number;
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
    readonly jwtSecret: string;
    readonly jwtKeyFile: string;
    readonly jwtAudience: string;
    readonly jwtIssuer: string;
    readonly jwtClockSkewSeconds: number;
    readonly expiryWarningSeconds: number;
    readonly maxTokenBytes: number;
    readonly metricsPublic: boolean;
  };
  readonly cluster: {
    readonly role: ClusterRole;
    readonly redisUrl: string;
    /** Redis Cluster seed nodes, `host:port,...`; empty for a single Redis. */
    readonly redisClusterNodes: string;
    readonly leaseIntervals: number;
    readonly reconnectMaxMs: number;
  };
  readonly transport: { readonly engine: TransportEngine; readonly uwsPort: number };
  readonly fanout: { readonly tickSchedule: TickSchedule; readonly perMessageDeflate: boolean; readonly staleAfterIntervals: number };
  readonly store: StoreConfig;
  readonly ingest: IngestConfig;
}
