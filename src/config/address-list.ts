import { isIP } from 'node:net';

/**
 * Why a TRUSTED_PROXIES entry is not an address or a CIDR (`10.0.0.0/8`, `fd00::/8`), or
 * undefined when it is one. The transport builds its `net.BlockList` from the same entries
 * (src/transport/http/client-address.ts); this check only lets start-up name a bad one.
 */
export function addressEntryProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or a CIDR like 10.0.0.0/8 or fd00::/8`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const maxBits = family === 6 ? 128 : 32;
  return prefix !== '' && Number.isInteger(bits) && bits >= 0 && bits <= maxBits ? undefined : `"${entry}": the prefix must be 0 to ${maxBits}`;
}
