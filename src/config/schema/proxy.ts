import convict from 'convict';
import { addressEntryProblem } from '../address-list.js';
import { listOf, range } from './formats.js';

convict.addFormat({
  name: 'address-list',
  validate(value: unknown) {
    if (!Array.isArray(value) && typeof value !== 'string') throw new Error('must be a comma-separated list of addresses and CIDRs');
    const problems = listOf(value).map(addressEntryProblem).filter((problem) => problem !== undefined);
    if (problems.length > 0) throw new Error(problems.join('; '));
  },
  coerce: (value: unknown) => listOf(value),
});

/**
 * The edge: how clients reach barcast through balancers, proxies and NATs (docs/operations.md,
 * "Behind a balancer"): which peers may name the client (X-Forwarded-For, the PROXY protocol),
 * and how a crowd of handshakes from one address waits its turn.
 */
export const proxySchema = {
  trustedProxies: {
    doc:
      'Addresses and CIDRs of the proxies and balancers in front of barcast, comma-separated (e.g. 10.0.0.0/8,fd00::/8). ' +
      'From these peers only, the client address is taken from X-Forwarded-For and, with proxy.protocol, the PROXY header; ' +
      'per-address limits, logs and metrics then use it. Empty: no peer is trusted and those headers are ignored.',
    format: 'address-list',
    default: [] as string[],
    env: 'TRUSTED_PROXIES',
  },
  protocol: {
    doc:
      'Read a PROXY protocol header (v1 or v2, as HAProxy send-proxy/send-proxy-v2 and AWS NLB send it) at the start of ' +
      'each connection from a trusted proxy. A connection from any other peer is never read for one.',
    format: Boolean,
    default: false,
    env: 'PROXY_PROTOCOL',
  },
  handshakeQueuePerIp: {
    doc:
      'Connections one client address may have waiting, unread, while it already has limits.maxHandshakesPerIp handshakes in ' +
      'progress (0-100000): a burst behind one NAT waits its turn instead of being dropped. Past it: 503 with Retry-After.',
    format: range('int', 0, 100_000),
    default: 1_000,
    env: 'HANDSHAKE_QUEUE_PER_IP',
  },
  handshakeQueueTimeoutMs: {
    doc: 'Milliseconds a connection may wait in that queue (100-60000); then 503 with Retry-After (these seconds, rounded up) and closed.',
    format: range('int', 100, 60_000),
    default: 5_000,
    env: 'HANDSHAKE_QUEUE_TIMEOUT_MS',
  },
};

export interface ProxyConfig {
  readonly trustedProxies: readonly string[];
  readonly protocol: boolean;
  readonly handshakeQueuePerIp: number;
  readonly handshakeQueueTimeoutMs: number;
}
