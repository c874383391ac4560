import type { RequestError } from '../domain/errors.js';
import type { Hub, OpenedTopic } from '../streams/hub.js';

/**
 * The kit's one contact with the hub's request path, which is still changing (`Hub.open` is
 * merging into `Hub.request`, and updates are being stamped with seq/epoch/final): every kit
 * function that asks the hub for a client's topics goes through here, so adapting to a
 * changed Hub API is one edit.
 */

/** One topic a request opened: what the transport would subscribe to (its `stream$` gives the kind's plain values). */
export type RequestedTopic<T = unknown> = OpenedTopic<T>;

/** One topic of a request: opened, or refused with its error (and the fields echoed for it). */
export type RequestedOutcome<T = unknown> =
  | { readonly ok: true; readonly topic: RequestedTopic<T> }
  | { readonly ok: false; readonly error: RequestError; readonly fields: Readonly<Record<string, unknown>>; readonly key?: string };

/** A client's request, whichever shape the kind's parse gave: its topics, or an error for the whole request. */
export type RequestedTopics<T = unknown> =
  | { readonly ok: true; readonly topics: readonly RequestedOutcome<T>[] }
  | { readonly ok: false; readonly error: RequestError };

/** Asks the hub for the topics of a `<kind>.subscribe` payload, as the WebSocket session does. */
export function requestTopics<T = unknown>(hub: Hub, kind: string, payload: unknown): RequestedTopics<T> {
  const result = hub.request(kind, payload);
  if (!result.ok) return result;
  const outcomes = 'topic' in result ? [{ ok: true as const, topic: result.topic }] : result.topics;
  return {
    ok: true,
    topics: outcomes.map((outcome) =>
      outcome.ok ? { ok: true, topic: outcome.topic as RequestedTopic<T> } : { ok: false, error: outcome.error, fields: outcome.fields, ...(outcome.key === undefined ? {} : { key: outcome.key }) },
    ),
  };
}
