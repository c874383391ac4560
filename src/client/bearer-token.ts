import { defer, from, type Observable, of } from 'rxjs';

/** A bearer token, or a function that returns the current one (called on every connect and refresh). */
export type TokenSource = string | (() => string | Promise<string>);

/** The subprotocol the server selects; the token rides along as a second, never echoed, offer. */
export const PROTOCOL = 'barcast.v1';
export const BEARER_PROTOCOL_PREFIX = 'barcast.bearer.';

/** The current token, read when subscribed; a plain string (or a synchronous provider) answers at once. */
export function readToken(source: TokenSource | undefined): Observable<string | undefined> {
  return defer(() => {
    const token = typeof source === 'function' ? source() : source;
    return typeof token === 'string' || token === undefined ? of(token) : from(token);
  });
}

/**
 * The subprotocols to offer: the token goes in `Sec-WebSocket-Protocol`, so it stays out of
 * URLs and access logs (a browser cannot set `Authorization` on a WebSocket). Without a
 * token nothing is offered, so servers that know no subprotocol keep accepting the client.
 */
export function bearerProtocols(token: string | undefined): string[] | undefined {
  return token ? [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`] : undefined;
}

/** A static token cannot be refreshed: only a provider is asked again on `auth.expiring`. */
export function canRefresh(source: TokenSource | undefined): boolean {
  return typeof source === 'function';
}
