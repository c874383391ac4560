/**
 * WebSocket close codes the server sends (RFC 6455 section 7.4.1 and the IANA registry).
 * docs/websockets.md lists each with its cause.
 */
/** The server is shutting down; reconnect with backoff. */
export const CLOSE_GOING_AWAY = 1001;
/** The client broke a rule it was told about, e.g. kept flooding past the rate limit. */
export const CLOSE_POLICY_VIOLATION = 1008;
/** A frame exceeded limits.maxPayloadBytes; sent by ws itself (maxPayload). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;
/** The client read too slowly and stayed over the hard buffer limit; reconnect later. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** The connection's token expired (no auth.refresh came in time); reconnect with a fresh token. */
export const CLOSE_TOKEN_EXPIRED = 4001;
/** The connection's token was removed from the token file (SIGHUP reload); it may not reconnect with it. */
export const CLOSE_TOKEN_REVOKED = 4003;
