import type { RawData } from 'ws';
import { requestError, type ErrorCode, type RequestError } from '../../domain/errors.js';
import { isRecord } from '../../domain/json-record.js';

/**
 * The WebSocket protocol: JSON text frames with the envelope `{ type, payload? }`.
 * Parsing turns an untrusted frame into a typed message or a typed error, once, here.
 */
export type TopicAction = 'subscribe' | 'unsubscribe';

export type ClientMessage =
  | { readonly type: 'topic'; readonly action: TopicAction; readonly kind: string; readonly payload: unknown }
  | { readonly type: 'ping' }
  /** `auth.*` (auth.refresh): handled by the connection's AuthSession (auth-session.ts). */
  | { readonly type: 'auth'; readonly name: string; readonly frame: Readonly<Record<string, unknown>> };

export type ParsedFrame = { readonly ok: true; readonly message: ClientMessage } | { readonly ok: false; readonly error: RequestError };

const TOPIC_TYPE = /^([a-z][a-z0-9_-]{0,31})\.(subscribe|unsubscribe)$/;

export function parseClientFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) return failure('INVALID_MESSAGE', 'binary frames are not supported; send JSON text frames');
  let value: unknown;
  try {
    value = JSON.parse(rawText(data));
  } catch {
    return failure('INVALID_JSON', 'frame is not valid JSON');
  }
  if (!isRecord(value)) return failure('INVALID_MESSAGE', 'message must be a JSON object like {"type":"...","payload":{...}}');
  const { type } = value;
  if (typeof type !== 'string') return failure('INVALID_MESSAGE', 'message.type must be a string');
  if (type === 'ping') return { ok: true, message: { type: 'ping' } };
  if (type.startsWith('auth.')) return { ok: true, message: { type: 'auth', name: type, frame: value } };
  const match = TOPIC_TYPE.exec(type);
  if (!match) return failure('UNKNOWN_TYPE', `unknown message type ${JSON.stringify(type.slice(0, 64))}`);
  const [, kind = '', action] = match;
  return { ok: true, message: { type: 'topic', action: action as TopicAction, kind, payload: value['payload'] } };
}

/** ws hands text frames over as a Buffer (binaryType 'nodebuffer', the default). */
function rawText(data: RawData): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8');
}

function failure(code: ErrorCode, message: string): ParsedFrame {
  return { ok: false, error: requestError(code, message) };
}

/* Server -> client messages. Built as strings here so every sender uses the same shapes. */

export function topicResponse(
  kind: string,
  action: TopicAction,
  fields: Readonly<Record<string, unknown>>,
  message: string,
): string {
  return JSON.stringify({ type: `${kind}.${action}.response`, payload: { status: 'ok', ...fields, message } });
}

export function topicErrorResponse(kind: string, action: TopicAction, error: RequestError): string {
  return JSON.stringify({ type: `${kind}.${action}.response`, payload: { status: 'error', code: error.code, message: error.message } });
}

/**
 * The answer to a request that names several topics (`quotes.subscribe` with `symbols`):
 * `status` is ok because the request was valid; each topic's own `status` says how it went.
 */
export function topicsResponse(
  kind: string,
  action: TopicAction,
  topics: readonly Readonly<Record<string, unknown>>[],
  message: string,
): string {
  return JSON.stringify({ type: `${kind}.${action}.response`, payload: { status: 'ok', topics, message } });
}

export function errorMessage(error: RequestError): string {
  return JSON.stringify({ type: 'error', payload: { status: 'error', code: error.code, message: error.message } });
}

/** One update frame; built once per topic per tick and sent as-is to every subscriber. */
export function updateMessage(kind: string, topic: string, ts: number, payload: unknown): string {
  return JSON.stringify({ type: `${kind}.update`, topic, ts, payload });
}

export const PONG_MESSAGE = JSON.stringify({ type: 'pong' });
