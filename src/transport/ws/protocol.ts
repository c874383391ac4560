import type { RawData } from 'ws';
import { requestError, type ErrorCode, type RequestError } from '../../domain/errors.js';
import { isRecord } from '../../domain/json-record.js';
import { resultCounts, type TradeResult } from '../../domain/trade-result.js';

/**
 * The WebSocket protocol: JSON text frames with the envelope `{ type, payload? }`.
 * Parsing turns an untrusted frame into a typed message or a typed error, once, here.
 */
export type TopicAction = 'subscribe' | 'unsubscribe';

/** A client's tag for a request, echoed in its response: a short string or a safe integer. */
export type RequestId = string | number;

export const MAX_REQUEST_ID_LENGTH = 64;

export type ClientMessage =
  | {
      readonly type: 'topic';
      readonly action: TopicAction;
      readonly kind: string;
      readonly payload: unknown;
      readonly id?: RequestId;
      /** Resume: the time of the last final bar the client holds (see docs/websockets.md). */
      readonly since?: number;
    }
  | { readonly type: 'ping'; readonly id?: RequestId }
  /** `auth.*` (auth.refresh): handled by the connection's AuthSession (auth-session.ts). */
  | { readonly type: 'auth'; readonly name: string; readonly payload: unknown; readonly id?: RequestId }
  /** `trades.publish`: a batch of trades from a publisher (trades-publish.ts). */
  | { readonly type: 'publish'; readonly payload: unknown; readonly id?: RequestId };

export type ParsedFrame =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly error: RequestError; readonly id?: RequestId };

/** Publishing trades is not a topic request: its own message (docs/websockets.md, "Publishing trades"). */
export const PUBLISH_TYPE = 'trades.publish';

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
  if (!isRequestId(value['id'])) {
    return failure('INVALID_MESSAGE', `message.id must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters or an integer`);
  }
  const id = value['id'] === undefined ? {} : { id: value['id'] };
  if (typeof type !== 'string') return failure('INVALID_MESSAGE', 'message.type must be a string', id);
  if (type === 'ping') return { ok: true, message: { type: 'ping', ...id } };
  if (type.startsWith('auth.')) return { ok: true, message: { type: 'auth', name: type, payload: value['payload'], ...id } };
  if (type === PUBLISH_TYPE) return { ok: true, message: { type: 'publish', payload: value['payload'], ...id } };
  const match = TOPIC_TYPE.exec(type);
  if (!match) return failure('UNKNOWN_TYPE', `unknown message type ${JSON.stringify(type.slice(0, 64))}`, id);
  const [, kind = '', action] = match;
  const { payload } = value;
  const since = isRecord(payload) ? payload['since'] : undefined;
  if (since !== undefined && !(Number.isSafeInteger(since) && (since as number) >= 0)) {
    return failure('INVALID_PAYLOAD', 'payload.since must be the time (epoch ms) of the last final bar you hold', id);
  }
  const resume = since === undefined ? {} : { since: since as number };
  return { ok: true, message: { type: 'topic', action: action as TopicAction, kind, payload, ...id, ...resume } };
}

function isRequestId(value: unknown): value is RequestId | undefined {
  if (value === undefined) return true;
  if (typeof value === 'string') return value.length <= MAX_REQUEST_ID_LENGTH;
  return Number.isSafeInteger(value);
}

/** ws hands text frames over as a Buffer (binaryType 'nodebuffer', the default). */
function rawText(data: RawData): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8');
}

function failure(code: ErrorCode, message: string, id: { readonly id?: RequestId } = {}): ParsedFrame {
  return { ok: false, error: requestError(code, message), ...id };
}

/* Server -> client messages. Built as strings here so every sender uses the same shapes. */

/** The answer to a request: `{ type, id?, payload }`, `id` echoed when the request had one. */
function reply(type: string, id: RequestId | undefined, payload: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ type, id, payload });
}

export function topicResponse(kind: string, action: TopicAction, id: RequestId | undefined, result: Readonly<Record<string, unknown>>): string {
  return reply(`${kind}.${action}.response`, id, result);
}

export function topicErrorResponse(kind: string, action: TopicAction, id: RequestId | undefined, error: RequestError): string {
  return reply(`${kind}.${action}.response`, id, { status: 'error', code: error.code, message: error.message });
}

/** `trades.publish.response`: every trade's result, in order, with the counts (`accepted`, `duplicates`, `refused`). */
export function tradesPublishResponse(id: RequestId | undefined, results: readonly TradeResult[]): string {
  return reply('trades.publish.response', id, { status: 'ok', ...resultCounts(results), results });
}

/** `trades.publish.response` refusing the publish as a whole (no publish right, a payload of another shape). */
export function tradesPublishError(id: RequestId | undefined, error: RequestError): string {
  return reply('trades.publish.response', id, { status: 'error', code: error.code, message: error.message });
}

/**
 * The answer to a request that names several topics (`quotes.subscribe` with `symbols`):
 * `status` is ok because the request was valid; each topic's own `status` says how it went.
 */
export function topicsResponse(
  kind: string,
  action: TopicAction,
  id: RequestId | undefined,
  topics: readonly Readonly<Record<string, unknown>>[],
  message: string,
): string {
  return reply(`${kind}.${action}.response`, id, { status: 'ok', topics, message });
}

export function errorMessage(error: RequestError, id?: RequestId): string {
  return reply('error', id, { status: 'error', code: error.code, message: error.message });
}

/** Whether a live-fed topic is flowing (`live`) or has had no update for a while (`stale`). */
export type TopicStatus = 'live' | 'stale';

/** `{"type":"bars.status","topic":...,"payload":{"status":"stale","since":<last update, ms>}}`. */
export function statusMessage(kind: string, topic: string, status: TopicStatus, lastUpdateAt: number): string {
  const payload = status === 'stale' ? { status, since: lastUpdateAt } : { status };
  return JSON.stringify({ type: `${kind}.status`, topic, payload });
}

export function pongMessage(id?: RequestId): string {
  return id === undefined ? PONG_MESSAGE : JSON.stringify({ type: 'pong', id });
}

const PONG_MESSAGE = JSON.stringify({ type: 'pong' });
