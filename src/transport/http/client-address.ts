import { BlockList, isIP } from 'node:net';

/** What a connection knows about where it comes from, before any trust is applied. */
export interface ConnectionOrigin {
  /** The TCP peer: the client itself, or the proxy in front of it. */
  readonly peer: string;
  /** The source address a PROXY protocol header named (v1 or v2), if the connection began with one. */
  readonly proxied?: string | undefined;
  /** The request's `X-Forwarded-For` header (absent below HTTP, or when the request has none). */
  readonly forwardedFor?: string | undefined;
}

/**
 * Who the client of a connection is, when barcast sits behind proxies it trusts
 * (`proxy.trustedProxies`, TRUSTED_PROXIES: addresses and CIDRs). The one answer HTTP, the ws
 * upgrade and the uWS door all ask, so per-address limits, logs and metrics agree on it.
 *
 * The hops are read from the nearest outwards: the TCP peer, then the PROXY header's source,
 * then `X-Forwarded-For` from its right end (each proxy appends the address it saw). While a
 * hop is trusted, the one before it is believed; the first untrusted hop is the client. So a
 * header from an untrusted peer is never read, and a client cannot forge its way past the
 * proxy that appended its real address. A hop that is not an IP address ends the walk at the
 * last good one. Every answer is normalised (`::ffff:1.2.3.4` is `1.2.3.4`).
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly isEmpty: boolean;

  constructor(entries: readonly string[]) {
    for (const entry of entries) addEntry(this.list, entry);
    this.isEmpty = entries.length === 0;
  }

  isTrusted(address: string): boolean {
    if (this.isEmpty) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  clientAddress(origin: ConnectionOrigin): string {
    let client = normalizeAddress(origin.peer);
    if (!this.isTrusted(client)) return client;
    for (const hop of outerHops(origin)) {
      const address = hopAddress(hop);
      if (address === undefined) break;
      client = address;
      if (!this.isTrusted(client)) break;
    }
    return client;
  }
}

/** The hops past the peer, nearest first: the PROXY source, then X-Forwarded-For right to left. */
function* outerHops(origin: ConnectionOrigin): Generator<string> {
  if (origin.proxied !== undefined) yield origin.proxied;
  if (origin.forwardedFor === undefined) return;
  const hops = origin.forwardedFor.split(',');
  for (let index = hops.length - 1; index >= 0; index -= 1) yield hops[index]!.trim();
}

/** One hop as an address: `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`; undefined if it is none. */
function hopAddress(hop: string): string | undefined {
  if (isIP(hop) !== 0) return normalizeAddress(hop);
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop);
  const bare = bracketed?.[1] ?? withPort?.[1];
  return bare !== undefined && isIP(bare) !== 0 ? normalizeAddress(bare) : undefined;
}

/** An IPv4 address reached over an IPv6 socket (`::ffff:1.2.3.4`) is the IPv4 address. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** One TRUSTED_PROXIES entry: an address, or a CIDR `address/prefix`; anything else throws, naming it. */
function addEntry(list: BlockList, entry: string): void {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  const bits = prefix === undefined ? undefined : Number(prefix);
  const maxBits = family === 6 ? 128 : 32;
  const valid = family !== 0 && extra === undefined && (bits === undefined || (prefix !== '' && Number.isInteger(bits) && bits >= 0 && bits <= maxBits));
  if (!valid) throw new Error(`"${entry}" is not an IP address or a CIDR like 10.0.0.0/8 or fd00::/8`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(address, type);
  else list.addSubnet(address, bits, type);
}

/** The part of a socket the address is read from (a net.Socket, or the Duplex of an upgrade). */
interface PeerOf {
  readonly remoteAddress?: string | undefined;
}

/**
 * The client address of each connection and request, for everything that names one: the
 * handshake queue, the upgrade, the history rate limit, logs. A PROXY header's source is
 * remembered per socket (a WeakMap: it goes with the socket) by the connection guard that
 * read it; `X-Forwarded-For` is read per request. Both count only through a trusted peer.
 */
export class ClientAddresses {
  private readonly proxied = new WeakMap<PeerOf, string>();

  constructor(readonly trusted: TrustedProxies) {}

  rememberProxied(socket: PeerOf, source: string): void {
    this.proxied.set(socket, source);
  }

  /** At the TCP level: the peer, or the PROXY header's source. */
  ofSocket(socket: PeerOf): string {
    return this.trusted.clientAddress({ peer: socket.remoteAddress ?? '', proxied: this.proxied.get(socket) });
  }

  /** For a request: X-Forwarded-For counts too. */
  ofRequest(request: { readonly socket: PeerOf; readonly headers: Readonly<Record<string, string | string[] | undefined>> }): string {
    const header = request.headers['x-forwarded-for'];
    const forwardedFor = Array.isArray(header) ? header.join(',') : header;
    return this.trusted.clientAddress({ peer: request.socket.remoteAddress ?? '', proxied: this.proxied.get(request.socket), forwardedFor });
  }
}
