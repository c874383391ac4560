import { range } from './formats.js';

/** Deadlines of HTTP connections and WebSocket handshakes. */
export const httpSchema = {
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
};

export interface HttpConfig {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly upgradeTimeoutMs: number;
}
