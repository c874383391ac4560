import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientAddresses, TrustedProxies } from '../../../src/transport/http/client-address.js';

const trusted = new TrustedProxies(['10.0.0.0/8', '192.168.1.1', 'fd00::/8']);

describe('TrustedProxies', () => {
  it('is the TCP peer when the peer is not trusted, whatever the headers say', () => {
    expect(trusted.clientAddress({ peer: '203.0.113.9', proxied: '6.6.6.6', forwardedFor: '7.7.7.7' })).toBe('203.0.113.9');
  });

  it('believes a trusted peer: the PROXY source first, then X-Forwarded-For from its right end', () => {
    expect(trusted.clientAddress({ peer: '10.1.2.3', proxied: '198.51.100.7' })).toBe('198.51.100.7');
    expect(trusted.clientAddress({ peer: '10.1.2.3', forwardedFor: '6.6.6.6, 198.51.100.7' })).toBe('198.51.100.7');
    // A chain of trusted proxies: skipped until the first hop that is not one.
    expect(trusted.clientAddress({ peer: '10.1.2.3', forwardedFor: '6.6.6.6, 198.51.100.7, 192.168.1.1, 10.9.9.9' })).toBe('198.51.100.7');
    expect(trusted.clientAddress({ peer: '10.1.2.3', proxied: '10.4.4.4', forwardedFor: '198.51.100.7' })).toBe('198.51.100.7');
  });

  it('does not read X-Forwarded-For past a PROXY source it does not trust (a client behind an L4 balancer forging one)', () => {
    expect(trusted.clientAddress({ peer: '10.1.2.3', proxied: '198.51.100.7', forwardedFor: '6.6.6.6' })).toBe('198.51.100.7');
  });

  it('stops at the last good hop when one is not an address, and reads ports and brackets', () => {
    expect(trusted.clientAddress({ peer: '10.1.2.3', forwardedFor: 'unknown, 198.51.100.7' })).toBe('198.51.100.7');
    expect(trusted.clientAddress({ peer: '10.1.2.3', forwardedFor: 'garbage' })).toBe('10.1.2.3');
    expect(trusted.clientAddress({ peer: '10.1.2.3', forwardedFor: '198.51.100.7:4711' })).toBe('198.51.100.7');
    expect(trusted.clientAddress({ peer: '10.1.2.3', forwardedFor: '[2001:db8::1]:4711' })).toBe('2001:db8::1');
  });

  it('reads IPv4 over IPv6 sockets as IPv4, for trust and for the answer', () => {
    expect(trusted.clientAddress({ peer: '::ffff:10.1.2.3', forwardedFor: '::ffff:198.51.100.7' })).toBe('198.51.100.7');
    expect(trusted.clientAddress({ peer: 'fd00::1', forwardedFor: '2001:db8::2' })).toBe('2001:db8::2');
  });

  it('trusts nobody when empty', () => {
    expect(new TrustedProxies([]).clientAddress({ peer: '127.0.0.1', forwardedFor: '1.2.3.4', proxied: '5.6.7.8' })).toBe('127.0.0.1');
  });

  it('rejects an entry that is neither an address nor a CIDR, naming it', () => {
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow('"10.0.0.0/33"');
    expect(() => new TrustedProxies(['proxy.internal'])).toThrow('"proxy.internal"');
  });

  it('never answers a hop left of an untrusted one, however the chain is built', () => {
    const address = fc.oneof(fc.ipV4(), fc.constantFrom('10.0.0.1', '10.200.3.4', '192.168.1.1'));
    fc.assert(
      fc.property(address, fc.array(address, { maxLength: 6 }), (peer, hops) => {
        const client = trusted.clientAddress({ peer, forwardedFor: hops.join(', ') });
        const chain = [...hops, peer];
        const firstUntrustedFromRight = [...chain].reverse().findIndex((hop) => !trusted.isTrusted(hop));
        const expected = firstUntrustedFromRight < 0 ? chain[0] : chain[chain.length - 1 - firstUntrustedFromRight];
        expect(client).toBe(expected);
      }),
    );
  });
});

describe('ClientAddresses', () => {
  it('remembers a PROXY source per socket and adds X-Forwarded-For per request', () => {
    const addresses = new ClientAddresses(trusted);
    const socket = { remoteAddress: '10.0.0.5' };
    expect(addresses.ofSocket(socket)).toBe('10.0.0.5');
    addresses.rememberProxied(socket, '192.168.1.1');
    expect(addresses.ofSocket(socket)).toBe('192.168.1.1');
    expect(addresses.ofRequest({ socket, headers: { 'x-forwarded-for': '198.51.100.7' } })).toBe('198.51.100.7');
  });
});
