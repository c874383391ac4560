import type { Hub, OpenedTopic, RequestResult, TopicOutcome } from '../streams/hub.js';

/**
 * The kit's one contact with the hub's request path (the part of the Hub API that changes
 * most: `open` merged into `request`, updates stamped with seq/epoch/final). Every kit
 * function that asks the hub for a client's topics goes through here, so adapting the kit to
 * a changed Hub API is one edit.
 */

/** One topic a request opened: `stream$` gives the kind's plain values, `updates$` them stamped as the fan-out sends them. */
export type RequestedTopic<T = unknown> = OpenedTopic<T>;

/** One topic of a request: opened, or refused with its error (and the fields echoed for it). */
export type RequestedOutcome<T = unknown> = TopicOutcome<T>;

/** A client's request: every topic it names (`several` when it named a list), or an error for the whole request. */
export type RequestedTopics<T = unknown> = RequestResult<T>;

/** Asks the hub for the topics of a `<kind>.subscribe` payload, as the WebSocket session does. */
export function requestTopics<T = unknown>(hub: Hub, kind: string, payload: unknown): RequestedTopics<T> {
  return hub.request(kind, payload) as RequestedTopics<T>;
}
