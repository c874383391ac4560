import { range } from './formats.js';

/** What one connection, one IP address and the whole server may use: connections, frames, subscriptions, message rate, buffers. */
export const limitsSchema = {
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
    doc:
      'Connections one client address (see proxy.trustedProxies) may have in progress that have not yet sent a complete request ' +
      '(1-100000); further ones wait in the handshake queue (proxy.handshakeQueuePerIp).',
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
  unreadSoftBytes: {
    doc: 'Bytes written to a socket that its peer has not yet shown it read (by answering a ping sent after them), past which it is lagging as over bufferSoftBytes: updates are conflated. Catches a reader whose kernel buffers hold megabytes. 0 turns it off (0-1073741824).',
    format: range('int', 0, 1024 * 1024 * 1024),
    default: 256 * 1024,
    env: 'WS_UNREAD_SOFT_BYTES',
  },
};

export interface LimitsConfig {
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
  readonly unreadSoftBytes: number;
}
