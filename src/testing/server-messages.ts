import type { ErrorCode } from '../domain/errors.js';

/**
 * What the server sends, as a test reads it (docs/websockets.md is the contract). Loose on
 * purpose where the protocol is extensible: a kind's updates carry its own payloads.
 */

/** A request id: a string of at most 64 characters or a safe integer, echoed in its response. */
export type RequestId = string | number;

/** Any parsed server frame; narrow it with the guards below. */
export interface ServerMessage {
  readonly type: string;
  readonly id?: RequestId;
  readonly topic?: string;
  readonly ts?: number;
  /** Updates: numbering within `epoch`, from 1 (absent on replayed bars). */
  readonly seq?: number;
  readonly epoch?: string;
  /** Bar updates: the bar's last update. */
  readonly final?: boolean;
  /** Bar updates: a closed bar sent from history on resume. */
  readonly replay?: boolean;
  readonly payload?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** `<kind>.update`: one value of a topic. */
export interface UpdateMessage<T = unknown> extends ServerMessage {
  readonly type: `${string}.update`;
  readonly topic: string;
  readonly ts: number;
  readonly payload: T & Record<string, unknown>;
}

export type ResponsePayload =
  | { readonly status: 'ok'; readonly message: string; readonly topic?: string; readonly [field: string]: unknown }
  | { readonly status: 'error'; readonly code: ErrorCode; readonly message: string; readonly [field: string]: unknown };

/** `<kind>.subscribe.response` / `.unsubscribe.response`, or an `error` frame answering a request. */
export interface ResponseMessage extends ServerMessage {
  readonly payload: ResponsePayload & Record<string, unknown>;
}

export const isType =
  (type: string) =>
  (message: ServerMessage): boolean =>
    message.type === type;

/** An update of `topic`, of any kind (`bars.update` for `bars:...` topics). */
export const isUpdateOf =
  (topic: string) =>
  (message: ServerMessage): message is UpdateMessage =>
    message.type.endsWith('.update') && message.topic === topic;

/** Replies to the client's own messages (responses, errors, pongs): not pushes (`*.update`, or `*.status` when a topic goes stale or live). */
export const isReply = (message: ServerMessage): boolean => !message.type.endsWith('.update') && !message.type.endsWith('.status');

/** The response (or error frame) that answers request `id`. */
export const isResponseTo =
  (id: RequestId) =>
  (message: ServerMessage): message is ResponseMessage =>
    message.id === id && (message.type.endsWith('.response') || message.type === 'error');

export const errorCodeOf = (message: ServerMessage | undefined): unknown => message?.payload?.['code'];
