import type { TopicRequestError } from '../domain/errors.js';
import type { ResponseMessage, UpdateMessage } from './server-message.js';

/** A request as sent, without its id (the connection adds one per send). */
export interface OutgoingRequest {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * One topic the client keeps subscribed across reconnects. The connection owns the socket
 * and matches responses to requests; the topic decides what to ask for and what to emit.
 */
export interface TopicSubscription {
  readonly key: string;
  /** The subscribe to send now: after a reconnect it says what is already held. */
  subscribeRequest(): OutgoingRequest;
  unsubscribeRequest(): OutgoingRequest;
  subscribed(response: ResponseMessage): void;
  update(message: UpdateMessage): void;
  /** `<kind>.status`: the server's data for the topic went stale, or recovered. */
  status(stale: boolean): void;
  /** The connection dropped: whatever was in flight is void. */
  dropped(): void;
  /** The server refused the topic: its stream errors. */
  refused(error: TopicRequestError): void;
  /** The last subscriber left, or the client closed. */
  ended(): void;
}
