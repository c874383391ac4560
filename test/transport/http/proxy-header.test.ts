import { V2ProxyProtocol, Command, TransportProtocol, IPv6ProxyAddress, IPv6Address, IPv4ProxyAddress, IPv4Address } from 'proxy-protocol-js';
import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from '../../../src/transport/http/proxy-header.js';

const REQUEST = 'GET /api/v1/ws HTTP/1.1\r\n';

function v2(address: IPv4ProxyAddress | IPv6ProxyAddress, command = Command.PROXY): Buffer {
  return Buffer.from(new V2ProxyProtocol(command, TransportProtocol.STREAM, address).build());
}

describe('parseProxyHeader', () => {
  it('finds none in a plain HTTP request, even one starting like PROXY', () => {
    expect(parseProxyHeader(Buffer.from(REQUEST))).toEqual({ kind: 'none' });
    expect(parseProxyHeader(Buffer.from('PUT / HTTP/1.1\r\n'))).toEqual({ kind: 'none' });
  });

  it('reads a v1 line, and says where the request after it starts', () => {
    const line = 'PROXY TCP4 198.51.100.7 10.0.0.1 51234 8000\r\n';
    expect(parseProxyHeader(Buffer.from(line + REQUEST))).toEqual({ kind: 'header', length: line.length, source: '198.51.100.7' });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::7 fd00::1 51234 8000\r\n'))).toMatchObject({ source: '2001:db8::7' });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ kind: 'header', length: 15, source: undefined });
  });

  it('waits for more of a header that has not fully arrived, in either version', () => {
    expect(parseProxyHeader(Buffer.from('PRO'))).toEqual({ kind: 'incomplete' });
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 198.51'))).toEqual({ kind: 'incomplete' });
    const header = v2(new IPv4ProxyAddress(IPv4Address.createFrom([198, 51, 100, 7]), 1, IPv4Address.createFrom([10, 0, 0, 1]), 2));
    for (const cut of [1, 12, 15, header.length - 1]) expect(parseProxyHeader(header.subarray(0, cut))).toEqual({ kind: 'incomplete' });
  });

  it('reads a v2 header: IPv4, IPv6, and a LOCAL command (a health check) without an address', () => {
    const four = v2(new IPv4ProxyAddress(IPv4Address.createFrom([198, 51, 100, 7]), 1, IPv4Address.createFrom([10, 0, 0, 1]), 2));
    expect(parseProxyHeader(Buffer.concat([four, Buffer.from(REQUEST)]))).toEqual({ kind: 'header', length: four.length, source: '198.51.100.7' });
    const sixBytes = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7];
    const six = v2(new IPv6ProxyAddress(IPv6Address.createFrom(sixBytes), 1, IPv6Address.createFrom(sixBytes), 2));
    expect(parseProxyHeader(six)).toMatchObject({ kind: 'header', source: '2001:db8::7' });
    const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7];
    expect(parseProxyHeader(v2(new IPv6ProxyAddress(IPv6Address.createFrom(mapped), 1, IPv6Address.createFrom(mapped), 2)))).toMatchObject({ source: '198.51.100.7' });
    const local = v2(new IPv4ProxyAddress(IPv4Address.createWithEmptyAddress(), 0, IPv4Address.createWithEmptyAddress(), 0), Command.LOCAL);
    expect(parseProxyHeader(local)).toMatchObject({ kind: 'header', source: undefined });
  });

  it('calls a malformed or oversized header invalid', () => {
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 not-an-ip 10.0.0.1 1 2\r\n'))).toMatchObject({ kind: 'invalid' });
    expect(parseProxyHeader(Buffer.from(`PROXY ${'x'.repeat(120)}`))).toMatchObject({ kind: 'invalid' });
    const huge = Buffer.concat([Buffer.from('0d0a0d0a000d0a515549540a', 'hex'), Buffer.from([0x21, 0x11, 0xff, 0xff])]);
    expect(parseProxyHeader(huge)).toMatchObject({ kind: 'invalid' });
  });
});
