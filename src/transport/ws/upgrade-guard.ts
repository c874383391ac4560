import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who may open a WebSocket, and how many at once. Empty lists switch a check off. */
export interface UpgradePolicy {
  readonly maxConnections: number;
  readonly allowedOrigins: readonly string[];
  readonly tokens: readonly string[];
}

export type UpgradeVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403 | 503; readonly reason: string };

const ACCEPTED: UpgradeVerdict = { ok: true };

/**
 * Decides an upgrade request before any WebSocket exists: over capacity -> 503, an Origin
 * not on the allow-list -> 403, a missing or wrong bearer token -> 401. The token comes from
 * `Authorization: Bearer <token>` or, for browsers (which cannot set headers on a
 * WebSocket), the `token` query parameter.
 */
export function checkUpgrade(request: IncomingMessage, openConnections: number, policy: UpgradePolicy): UpgradeVerdict {
  if (openConnections >= policy.maxConnections) return { ok: false, status: 503, reason: 'Service Unavailable' };
  if (policy.allowedOrigins.length > 0 && !isAllowedOrigin(request.headers.origin, policy.allowedOrigins)) {
    return { ok: false, status: 403, reason: 'Forbidden' };
  }
  if (policy.tokens.length > 0 && !hasValidToken(presentedToken(request), policy.tokens)) {
    return { ok: false, status: 401, reason: 'Unauthorized' };
  }
  return ACCEPTED;
}

/** With an allow-list, a request without an Origin is refused too: the list is the whole policy. */
function isAllowedOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return false;
  const normalised = origin.toLowerCase();
  return allowed.some((entry) => entry.toLowerCase() === normalised);
}

export function presentedToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (bearer !== undefined) return bearer;
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
  return query ?? undefined;
}

/**
 * Constant time: both sides are hashed to equal-length digests before timingSafeEqual, and
 * every configured token is compared, so neither the length nor the position of a match
 * shows in the response time.
 */
export function hasValidToken(candidate: string | undefined, tokens: readonly string[]): boolean {
  if (candidate === undefined) return false;
  const presented = digest(candidate);
  let matched = false;
  for (const token of tokens) matched = timingSafeEqual(presented, digest(token)) || matched;
  return matched;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
