import { RESOLUTION_RULE } from './resolution.js';
import { SYMBOL_RULE } from './symbol.js';

/**
 * Every error barcast reports, WebSocket and HTTP alike, defined once: its stable code (clients
 * switch on it; never rename one), its human message, the HTTP status it answers with, and the
 * WebSocket close code it closes a connection with, where it does. docs/websockets.md and
 * docs/operations.md list them; the AsyncAPI `ErrorCode` enum is this table's keys.
 *
 * A message here is the default text; a request error may carry a more specific one (which
 * symbol, which limit), built by `requestError(code, detail)`.
 */
export interface ErrorSpec {
  readonly message: string;
  readonly status: number;
  /** The WebSocket close code, for errors that end a connection. */
  readonly closeCode?: number;
}

export const ERRORS = {
  // A frame the server could not read.
  INVALID_JSON: { message: 'frame is not valid JSON', status: 400 },
  INVALID_MESSAGE: { message: 'message must be a JSON object like {"type":"...","payload":{...}}', status: 400 },
  UNKNOWN_TYPE: { message: 'unknown message type', status: 400 },
  // A request the server read but will not serve.
  INVALID_PAYLOAD: { message: 'the payload does not have the shape this message type takes', status: 400 },
  INVALID_SYMBOL: { message: `symbol must be ${SYMBOL_RULE}`, status: 400 },
  INVALID_RESOLUTION: { message: `resolution must be ${RESOLUTION_RULE}`, status: 400 },
  UNKNOWN_SYMBOL: { message: 'unknown symbol', status: 404 },
  UNSUPPORTED_RESOLUTION: { message: 'resolution not served', status: 400 },
  BROADCASTER_DISABLED: { message: 'The bar broadcaster is disabled', status: 503 },
  INTERNAL_ERROR: { message: 'Internal server error', status: 500 },
  SUBSCRIPTION_LIMIT: { message: 'too many subscriptions on this connection; unsubscribe from one first', status: 429 },
  RATE_LIMITED: { message: 'too many messages; slow down and retry', status: 429, closeCode: 1008 },
  INVALID_RANGE: { message: 'the requested range is not valid', status: 400 },
  RANGE_TOO_LARGE: { message: 'the requested range holds too many bars', status: 400 },
  // A trade-fed symbol nobody has published a trade of: UDF `/quotes` answers it as this symbol's error quote.
  NO_TRADES_YET: { message: 'no trades of this symbol yet: its quote starts with its first trade', status: 404 },
  // Access control on an open connection: a subscribe outside the JWT's `topics` claim, an auth.refresh refused.
  FORBIDDEN_TOPIC: { message: 'your token does not allow this topic', status: 403 },
  INVALID_TOKEN: { message: 'the token was refused; the connection keeps its current one', status: 401 },
  // HTTP requests that name nothing we serve, or that express could not parse.
  NOT_FOUND: { message: 'no such route', status: 404 },
  BAD_REQUEST: { message: 'Bad request', status: 400 },
  // Refusals before a WebSocket opens (HTTP status on the upgrade response).
  UNAUTHORIZED: { message: 'Unauthorized', status: 401 },
  FORBIDDEN_ORIGIN: { message: 'Forbidden', status: 403 },
  SERVER_FULL: { message: 'Service Unavailable', status: 503 },
  // Refused before the request is read: this address has too many connections opening at once (503 with Retry-After).
  TOO_MANY_HANDSHAKES: { message: 'too many connections from your address are opening at once; retry after Retry-After seconds', status: 503 },
  // Why an open connection is closed (the close frame's code and reason).
  SHUTTING_DOWN: { message: 'server shutting down', status: 503, closeCode: 1001 },
  MESSAGE_TOO_BIG: { message: 'frame exceeds limits.maxPayloadBytes', status: 413, closeCode: 1009 },
  SLOW_CONSUMER: { message: 'too slow: reconnect later', status: 503, closeCode: 1013 },
  // The connection's JWT expired without an auth.refresh; its static token was removed (SIGHUP).
  TOKEN_EXPIRED: { message: 'token expired', status: 401, closeCode: 4001 },
  TOKEN_REVOKED: { message: 'token revoked', status: 401, closeCode: 4003 },
  // Publishing trades (trades.publish, POST /api/v1/trades): each trade is answered on its own.
  INVALID_TRADE: { message: 'a trade must be an object like {"symbol":"AAPL","price":1.5,"size":10,"time":<epoch ms>,"id":"t1"}', status: 400 },
  INVALID_PRICE: { message: 'price must be a finite number above zero', status: 400 },
  NEGATIVE_SIZE: { message: 'size must not be negative', status: 400 },
  TRADE_IN_FUTURE: { message: 'the trade time is too far ahead of the server clock (INGEST_MAX_FUTURE_MS)', status: 400 },
  TRADE_TOO_LATE: { message: "the trade's bar is already final (its minute ended more than INGEST_LATENESS_MS ago)", status: 400 },
  PUBLISH_FORBIDDEN: { message: 'your credential may not publish trades of this symbol', status: 403 },
  INGEST_OVERLOADED: { message: 'too many trades waiting to be stored; retry later', status: 429, closeCode: 1013 },
  STORE_UNAVAILABLE: { message: 'the trade store cannot take writes now; nothing of this batch was stored', status: 503 },
  // A gateway forwarded the trade to the symbol's lead generator and heard nothing back in INGEST_FORWARD_TIMEOUT_MS
  // (no generator leads it, or Redis is away). Not acknowledged, yet it may have been stored: publish it again with its id.
  INGEST_UNAVAILABLE: {
    message: 'no generator confirmed this trade in time (INGEST_FORWARD_TIMEOUT_MS); it may still have been stored: publish it again with the same id',
    status: 503,
  },
} as const satisfies Readonly<Record<string, ErrorSpec>>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as readonly ErrorCode[];

export interface RequestError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** An error of `code`, with the table's message or a more specific one. */
export function requestError(code: ErrorCode, message: string = ERRORS[code].message): RequestError {
  return { code, message };
}

export function httpStatusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

/** The close code of an error that ends a connection. */
export function closeCodeOf(
  code: 'RATE_LIMITED' | 'SHUTTING_DOWN' | 'MESSAGE_TOO_BIG' | 'SLOW_CONSUMER' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'INGEST_OVERLOADED',
): number {
  return ERRORS[code].closeCode;
}

/** A request error carried through an Observable's error channel (e.g. `hub.bars$`). */
export class TopicRequestError extends Error {
  readonly code: ErrorCode;

  constructor({ code, message }: RequestError) {
    super(message);
    this.name = 'TopicRequestError';
    this.code = code;
  }
}
