import type { Bar } from '../domain/bar.js';
import type { ErrorCode } from '../domain/errors.js';
import { isRecord } from '../domain/json-record.js';

/**
 * The server messages the client acts on, narrowed once from untrusted JSON. Anything else
 * (pong, unknown future types) is `other` and ignored.
 */
export type ServerMessage =
  | { readonly kind: 'update'; readonly topic: string; readonly bar: Bar }
  | { readonly kind: 'response'; readonly action: 'subscribe' | 'unsubscribe'; readonly ok: true }
  | { readonly kind: 'response'; readonly action: 'subscribe' | 'unsubscribe'; readonly ok: false; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: 'other' };

const RESPONSE_TYPE = /^[a-z][a-z0-9_-]*\.(subscribe|unsubscribe)\.response$/;
const BAR_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

export function readServerMessage(value: unknown): ServerMessage {
  if (!isRecord(value) || typeof value['type'] !== 'string') return { kind: 'other' };
  const { type, payload } = value;
  if (type === 'bars.update' && typeof value['topic'] === 'string' && isBar(payload)) {
    return { kind: 'update', topic: value['topic'], bar: payload };
  }
  const response = RESPONSE_TYPE.exec(type);
  if (response && isRecord(payload)) {
    const action = response[1] as 'subscribe' | 'unsubscribe';
    if (payload['status'] === 'ok') return { kind: 'response', action, ok: true };
    return {
      kind: 'response',
      action,
      ok: false,
      code: (typeof payload['code'] === 'string' ? payload['code'] : 'INTERNAL_ERROR') as ErrorCode,
      message: typeof payload['message'] === 'string' ? payload['message'] : 'request refused',
    };
  }
  return { kind: 'other' };
}

function isBar(value: unknown): value is Bar {
  return isRecord(value) && BAR_FIELDS.every((field) => typeof value[field] === 'number');
}
