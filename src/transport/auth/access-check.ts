import type { IncomingMessage } from 'node:http';
import type { Credential, TokenAuthority, TokenRefusal } from './credential.js';

/** The WebSocket subprotocol of this protocol; the server selects it when a client offers it. */
export const PROTOCOL_SUBPROTOCOL = 'barcast.v1';
/** A browser presents its token as the subprotocol `barcast.bearer.<token>` (never echoed back). */
export const BEARER_SUBPROTOCOL_PREFIX = 'barcast.bearer.';

/** What the access check reads of a request: Node's IncomingMessage, or what uws-engine.ts copies out of uWS's. */
export type UpgradeRequest = Pick<IncomingMessage, 'headers' | 'url'>;

/** Who may open a WebSocket or call the HTTP API. An empty Origin list switches that check off. */
export interface AccessPolicy {
  readonly allowedOrigins: readonly string[];
  readonly authority: TokenAuthority;
}

export type AccessVerdict =
  | { readonly ok: true; readonly credential: Credential }
  | { readonly ok: false; readonly code: 'UNAUTHORIZED' | 'FORBIDDEN_ORIGIN'; readonly refusal: TokenRefusal | 'origin' };

export interface AccessCheckOptions {
  /**
   * Whether a request without an Origin is refused when an allow-list is set. The WebSocket
   * says yes (the list is its whole policy); plain HTTP says no, since browsers send no Origin
   * on a same-origin GET and a non-browser client (curl, a UDF proxy) needs none.
   */
  readonly requireOrigin: boolean;
}

/**
 * The one access check, for the WebSocket upgrade and for HTTP requests alike: an Origin not
 * on the allow-list -> FORBIDDEN_ORIGIN (403), a missing or bad token (when tokens or JWT keys
 * are configured) -> UNAUTHORIZED (401), otherwise the credential the request presented.
 */
export async function checkAccess(request: UpgradeRequest, policy: AccessPolicy, options: AccessCheckOptions): Promise<AccessVerdict> {
  const { origin } = request.headers;
  if (policy.allowedOrigins.length > 0 && (origin !== undefined || options.requireOrigin) && !isAllowedOrigin(origin, policy.allowedOrigins)) {
    return { ok: false, code: 'FORBIDDEN_ORIGIN', refusal: 'origin' };
  }
  const checked = await policy.authority.verify(presentedToken(request));
  if (!checked.ok) return { ok: false, code: 'UNAUTHORIZED', refusal: checked.refusal };
  return { ok: true, credential: checked.credential };
}

/** Origins compare exactly, case-insensitively (scheme, host and port). */
export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return false;
  const normalised = origin.toLowerCase();
  return allowed.some((entry) => entry.toLowerCase() === normalised);
}

/**
 * The token a request presents: `Authorization: Bearer <token>`, else the subprotocol
 * `barcast.bearer.<token>` (browsers' WebSocket cannot set headers, and a subprotocol stays
 * out of URLs and access logs), else the `token` query parameter.
 */
export function presentedToken(request: UpgradeRequest): string | undefined {
  const header = request.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (bearer !== undefined) return bearer;
  const offered = offeredSubprotocols(request).find((protocol) => protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  if (offered !== undefined) return offered.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
}

export function offeredSubprotocols(request: UpgradeRequest): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol.length > 0);
}

/** The subprotocol to select: ours when offered, never a token; none otherwise. */
export function selectSubprotocol(offered: ReadonlySet<string>): string | false {
  return offered.has(PROTOCOL_SUBPROTOCOL) ? PROTOCOL_SUBPROTOCOL : false;
}
