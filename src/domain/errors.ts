/**
 * Stable, machine-readable error codes sent to clients. docs/websockets.md lists each with
 * its cause; never rename one, clients switch on them.
 */
export const ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_MESSAGE',
  'UNKNOWN_TYPE',
  'INVALID_PAYLOAD',
  'INVALID_SYMBOL',
  'INVALID_RESOLUTION',
  'UNKNOWN_SYMBOL',
  'UNSUPPORTED_RESOLUTION',
  'BROADCASTER_DISABLED',
  'INTERNAL_ERROR',
  'SUBSCRIPTION_LIMIT',
  'RATE_LIMITED',
  'INVALID_RANGE',
  'RANGE_TOO_LARGE',
  // A subscribe outside the topics the connection's token allows (JWT `topics` claim).
  'FORBIDDEN_TOPIC',
  // An auth.refresh whose token is not valid (the connection keeps its current one).
  'INVALID_TOKEN',
  // HTTP (history, UDF, metrics) with access control on: no valid token (401), an Origin off the list (403).
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface RequestError {
  readonly code: ErrorCode;
  readonly message: string;
}

export function requestError(code: ErrorCode, message: string): RequestError {
  return { code, message };
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
