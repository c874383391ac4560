import type { Bar } from '../domain/bar.js';
import type { ErrorCode } from '../domain/errors.js';
import { isRecord } from '../domain/json-record.js';

/** A request id as the protocol allows it: the client only ever sends integers. */
export type RequestId = number | string;

/** One `<kind>.update` frame. Bars carry `final`/`replay`; `seq`/`epoch` are informational here. */
export interface UpdateMessage {
  readonly kind: 'update';
  readonly topicKind: string;
  readonly topic: string;
  readonly payload: unknown;
  /** The bar's last update (its period ended): its values equal history. */
  readonly final: boolean;
  /** Sent from history on a resume, not live. */
  readonly replay: boolean;
  readonly seq?: number;
  readonly epoch?: string;
}

/** One topic's result inside a response (a multi-topic response lists several). */
export interface TopicResult {
  readonly topic?: string;
  readonly ok: boolean;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface ResponseMessage {
  readonly kind: 'response';
  /** `subscribe`, `unsubscribe` or `refresh` (auth). */
  readonly action: string;
  readonly id?: RequestId;
  readonly ok: boolean;
  readonly code: ErrorCode;
  readonly message: string;
  readonly topic?: string;
  /** Answer to a `since`: true when the server replays what the client missed. */
  readonly recovered?: boolean;
  readonly topics?: readonly TopicResult[];
}

/**
 * The server messages the client acts on, narrowed once from untrusted JSON. Anything else
 * (pong, unknown future types) is `other` and ignored.
 */
export type ServerMessage =
  | UpdateMessage
  | ResponseMessage
  | { readonly kind: 'error'; readonly id?: RequestId; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: 'status'; readonly topic: string; readonly stale: boolean }
  | { readonly kind: 'expiring'; readonly expiresAt?: number }
  | { readonly kind: 'other' };

const RESPONSE_TYPE = /^[a-z][a-z0-9_-]*\.(subscribe|unsubscribe|refresh)\.response$/;
const UPDATE_TYPE = /^([a-z][a-z0-9_-]*)\.update$/;
const STATUS_TYPE = /^[a-z][a-z0-9_-]*\.status$/;
const BAR_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

export function readServerMessage(value: unknown): ServerMessage {
  if (!isRecord(value) || typeof value['type'] !== 'string') return { kind: 'other' };
  const { type, payload, topic } = value;
  const id = requestIdOf(value['id']);
  const update = UPDATE_TYPE.exec(type);
  if (update && typeof topic === 'string') {
    return {
      kind: 'update',
      topicKind: update[1] ?? '',
      topic,
      payload,
      final: value['final'] === true,
      replay: value['replay'] === true,
      ...(typeof value['seq'] === 'number' ? { seq: value['seq'] } : {}),
      ...(typeof value['epoch'] === 'string' ? { epoch: value['epoch'] } : {}),
    };
  }
  const response = RESPONSE_TYPE.exec(type);
  if (response && isRecord(payload)) {
    const recovered = payload['recovered'];
    return {
      kind: 'response',
      action: response[1] ?? '',
      ...(id === undefined ? {} : { id }),
      ...outcome(payload),
      ...(typeof payload['topic'] === 'string' ? { topic: payload['topic'] } : {}),
      ...(typeof recovered === 'boolean' ? { recovered } : {}),
      ...(Array.isArray(payload['topics']) ? { topics: payload['topics'].filter(isRecord).map(topicResult) } : {}),
    };
  }
  if (type === 'error' && isRecord(payload)) {
    const { code, message } = outcome(payload);
    return { kind: 'error', ...(id === undefined ? {} : { id }), code, message };
  }
  if (STATUS_TYPE.test(type) && typeof topic === 'string' && isRecord(payload)) {
    return { kind: 'status', topic, stale: payload['status'] === 'stale' };
  }
  if (type === 'auth.expiring') {
    const expiresAt = isRecord(payload) ? payload['expiresAt'] : undefined;
    return { kind: 'expiring', ...(typeof expiresAt === 'number' ? { expiresAt } : {}) };
  }
  return { kind: 'other' };
}

export function isBar(value: unknown): value is Bar {
  return isRecord(value) && BAR_FIELDS.every((field) => typeof value[field] === 'number');
}

function requestIdOf(value: unknown): RequestId | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

function outcome(payload: Readonly<Record<string, unknown>>): { ok: boolean; code: ErrorCode; message: string } {
  const ok = payload['status'] === 'ok';
  return {
    ok,
    code: (typeof payload['code'] === 'string' ? payload['code'] : ok ? '' : 'INTERNAL_ERROR') as ErrorCode,
    message: typeof payload['message'] === 'string' ? payload['message'] : ok ? '' : 'request refused',
  };
}

function topicResult(entry: Readonly<Record<string, unknown>>): TopicResult {
  return { ...(typeof entry['topic'] === 'string' ? { topic: entry['topic'] } : {}), ...outcome(entry) };
}
