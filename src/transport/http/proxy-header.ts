import { isIP, type Socket } from 'node:net';
import { Command, IPv4ProxyAddress, IPv6ProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';

/**
 * What the first bytes of a connection say about a PROXY protocol header (HAProxy's
 * `send-proxy` is v1, text; `send-proxy-v2` and AWS NLB send v2, binary): none (the bytes are
 * already the request), not complete yet, malformed, or a header of `length` bytes naming the
 * client's `source` address. A header without an address (v1 `UNKNOWN`, a v2 `LOCAL`
 * health check, a Unix socket) has none: the connection is the proxy's own.
 */
export type ProxyHeader =
  | { readonly kind: 'none' }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'header'; readonly length: number; readonly source: string | undefined };

const V1_SIGNATURE = Buffer.from('PROXY ');
const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
/** The spec's longest v1 line, CRLF included. */
const V1_MAX_BYTES = 107;
/** v2: the fixed 16 bytes, then the addresses and TLVs; more than a few hundred bytes of TLVs is not a balancer. */
const V2_MAX_BYTES = 16 + 2_048;

/**
 * Framing is ours (where the header ends); decoding is proxy-protocol-js's, a small parser of
 * both versions with no dependencies.
 */
export function parseProxyHeader(data: Buffer): ProxyHeader {
  if (startsWithOrIsPrefixOf(data, V2_SIGNATURE)) return parseV2(data);
  if (startsWithOrIsPrefixOf(data, V1_SIGNATURE)) return parseV1(data);
  return { kind: 'none' };
}

function startsWithOrIsPrefixOf(data: Buffer, signature: Buffer): boolean {
  const length = Math.min(data.length, signature.length);
  return data.subarray(0, length).equals(signature.subarray(0, length));
}

function parseV1(data: Buffer): ProxyHeader {
  const end = data.indexOf('\r\n');
  if (end < 0) return data.length >= V1_MAX_BYTES ? { kind: 'invalid', reason: 'a PROXY v1 line longer than 107 bytes' } : { kind: 'incomplete' };
  const length = end + 2;
  if (length > V1_MAX_BYTES) return { kind: 'invalid', reason: 'a PROXY v1 line longer than 107 bytes' };
  const line = data.toString('latin1', 0, length);
  if (/^PROXY UNKNOWN(?: [^\r\n]*)?\r\n$/.test(line)) return { kind: 'header', length, source: undefined };
  try {
    const { source } = V1ProxyProtocol.parse(line);
    if (isIP(source.ipAddress) === 0) return { kind: 'invalid', reason: 'a PROXY v1 source that is not an IP address' };
    return { kind: 'header', length, source: source.ipAddress };
  } catch {
    return { kind: 'invalid', reason: 'a malformed PROXY v1 line' };
  }
}

function parseV2(data: Buffer): ProxyHeader {
  if (data.length < 16) return { kind: 'incomplete' };
  const length = 16 + data.readUInt16BE(14);
  if (length > V2_MAX_BYTES) return { kind: 'invalid', reason: 'a PROXY v2 header over 2 KiB' };
  if (data.length < length) return { kind: 'incomplete' };
  let header: V2ProxyProtocol;
  try {
    header = V2ProxyProtocol.parse(data.subarray(0, length));
  } catch {
    return { kind: 'invalid', reason: 'a malformed PROXY v2 header' };
  }
  if (header.command === Command.LOCAL) return { kind: 'header', length, source: undefined };
  const address = header.proxyAddress;
  if (address instanceof IPv4ProxyAddress) return { kind: 'header', length, source: address.sourceAddress.address.join('.') };
  if (address instanceof IPv6ProxyAddress) return { kind: 'header', length, source: ipv6Text(address.sourceAddress.address) };
  return { kind: 'header', length, source: undefined };
}

/** Sixteen bytes as an address: the IPv4 one for `::ffff:a.b.c.d`, else the compressed IPv6 text. */
function ipv6Text(bytes: readonly number[]): string {
  if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups = Array.from({ length: 8 }, (_, index) => ((bytes[2 * index]! << 8) | bytes[2 * index + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/**
 * Reads a PROXY header off the start of `socket`, then puts back what followed it (the
 * request) for the HTTP server to read, and calls `done` with the client's source address
 * (undefined: no header, or one without an address). A connection that sends a malformed
 * header, or none complete within `timeoutMs`, is destroyed and `done` is never called.
 * Only connections from trusted proxies are read this way.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number, done: (source: string | undefined) => void): void {
  let received: Buffer = Buffer.alloc(0);
  const finish = (): void => {
    clearTimeout(timer);
    socket.off('readable', onReadable);
    socket.off('close', onClose);
  };
  const fail = (): void => {
    finish();
    socket.destroy();
  };
  const onClose = (): void => finish();
  const onReadable = (): void => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const header = parseProxyHeader(received);
    if (header.kind === 'incomplete') return;
    if (header.kind === 'invalid') return fail();
    finish();
    const rest = header.kind === 'header' ? received.subarray(header.length) : received;
    if (rest.length > 0) socket.unshift(rest);
    done(header.kind === 'header' ? header.source : undefined);
  };
  const timer = setTimeout(fail, timeoutMs);
  socket.on('readable', onReadable);
  socket.once('close', onClose);
}
