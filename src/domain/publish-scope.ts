import { isValidSymbol } from './symbol.js';

/**
 * Which symbols a credential may publish trades of: all trade-fed ones (`*`), or a list.
 * A subscriber's credential has none at all (publishing is its own right).
 */
export type PublishScope = '*' | ReadonlySet<string>;

/** Most symbols a `publish` claim may list: the claim comes from outside. */
export const MAX_PUBLISH_SYMBOLS = 1_024;

/** The scope of a JWT's `publish` claim (`"*"`, or a list of symbols), or undefined when it is not one. */
export function publishScope(claim: unknown): PublishScope | undefined {
  if (claim === '*') return '*';
  if (!Array.isArray(claim) || claim.length > MAX_PUBLISH_SYMBOLS) return undefined;
  if (!claim.every((symbol): symbol is string => typeof symbol === 'string' && isValidSymbol(symbol))) return undefined;
  return new Set(claim);
}

export function mayPublish(scope: PublishScope | undefined, symbol: string): boolean {
  return scope === '*' || (scope !== undefined && scope.has(symbol));
}

/** Whether a space-separated OAuth `scope` claim (RFC 8693) grants `publish`. */
export function grantsPublish(scopeClaim: unknown): boolean {
  return typeof scopeClaim === 'string' && scopeClaim.split(' ').includes('publish');
}
