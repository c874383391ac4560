import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

describe('proxy config (the edge)', () => {
  it('trusts no proxy, reads no PROXY header and queues a burst by default', () => {
    expect(loadConfig({ env: {} }).proxy).toEqual({ trustedProxies: [], protocol: false, handshakeQueuePerIp: 1_000, handshakeQueueTimeoutMs: 5_000 });
  });

  it('reads TRUSTED_PROXIES as a list of addresses and CIDRs, and PROXY_PROTOCOL', () => {
    const config = loadConfig({ env: { TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1,fd00::/8', PROXY_PROTOCOL: 'true', HANDSHAKE_QUEUE_PER_IP: '0' } });
    expect(config.proxy).toMatchObject({ trustedProxies: ['10.0.0.0/8', '192.168.1.1', 'fd00::/8'], protocol: true, handshakeQueuePerIp: 0 });
  });

  it('stops start-up naming an entry that is not an address or a CIDR', () => {
    expect(() => loadConfig({ env: { TRUSTED_PROXIES: '10.0.0.0/8,lb.internal' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { TRUSTED_PROXIES: '10.0.0.0/40' } })).toThrow(/TRUSTED_PROXIES[\s\S]*prefix must be 0 to 32/);
    expect(() => loadConfig({ env: { TRUSTED_PROXIES: 'lb.internal' } })).toThrow(/"lb\.internal" is not an IP address/);
  });
});
