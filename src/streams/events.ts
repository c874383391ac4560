import { Subject, type Observable, type SchedulerLike } from 'rxjs';
import type { ErrorCode } from '../domain/errors.js';

/**
 * What happens in a running broadcaster, as data. Streams and the transport report these
 * with `tap`; metrics and logs are folds over them, so neither reaches into the other.
 */
export type BroadcastEventBody =
  | { readonly type: 'broadcaster_started' }
  | { readonly type: 'broadcaster_stopped' }
  | { readonly type: 'topic_started'; readonly topic: string }
  | { readonly type: 'topic_stopped'; readonly topic: string }
  | { readonly type: 'topic_update'; readonly topic: string }
  | { readonly type: 'topic_error'; readonly topic: string; readonly error: unknown }
  | { readonly type: 'topic_status'; readonly topic: string; readonly status: 'live' | 'stale' }
  | {
      readonly type: 'broadcast_sent';
      readonly topic: string;
      readonly recipients: number;
      /** The update's event time (its frame's `ts`); the event's own `at` is when the last copy was written. */
      readonly eventTime?: number;
      /** One recipient's socket send buffer right after its write, sampled once per broadcast. */
      readonly sampledBufferedBytes?: number;
    }
  /** `address`: the client's, as TRUSTED_PROXIES resolves it (the peer's, behind no trusted proxy). */
  | { readonly type: 'client_joined'; readonly address?: string }
  | { readonly type: 'client_left' }
  | { readonly type: 'subscription_added'; readonly topic: string }
  | { readonly type: 'subscription_removed'; readonly topic: string }
  | { readonly type: 'connection_refused'; readonly status: number; readonly address?: string }
  /** A connection closed by access control: its token expired (4001) or was revoked (4003). */
  | { readonly type: 'connection_closed_by_auth'; readonly reason: AuthCloseReason }
  | { readonly type: 'token_refreshed'; readonly ok: boolean }
  | { readonly type: 'message_rejected'; readonly code: ErrorCode }
  | { readonly type: 'update_conflated'; readonly topic: string; readonly bufferedBytes: number }
  | { readonly type: 'slow_consumer_closed' }
  | { readonly type: 'dead_peer_terminated' }
  /**
   * Behind Redis: an update frame arrived from the channel `lagMs` after its publisher stamped
   * it. The Redis engine emits it; Prometheus observes it as a histogram.
   */
  | { readonly type: 'redis_update_received'; readonly topic: string; readonly lagMs: number }
  /** Behind Redis: this generator took a topic's lease, or found it held by another. */
  | { readonly type: 'lease_changed'; readonly topic: string; readonly change: LeaseChange }
  /**
   * A publish of trades answered (WebSocket or HTTP): how many trades had each outcome,
   * `accepted`, `duplicate` or the error code a trade was refused with.
   */
  | { readonly type: 'trades_answered'; readonly outcomes: Readonly<Record<string, number>> }
  /** One commit of published trades (the ingest's group commit): how many, and how long the store took to answer. */
  | { readonly type: 'trades_committed'; readonly trades: number; readonly durationMs: number };

export type AuthCloseReason = 'expired' | 'revoked';

export type LeaseChange = 'acquired' | 'lost';

/** Every event carries the scheduler's time when it happened, so folds stay pure. */
export type BroadcastEvent = BroadcastEventBody & { readonly at: number };

export type EmitEvent = (event: BroadcastEventBody) => void;

export interface EventBus {
  readonly events$: Observable<BroadcastEvent>;
  readonly emit: EmitEvent;
  complete(): void;
}

export function createEventBus(scheduler: SchedulerLike): EventBus {
  const subject = new Subject<BroadcastEvent>();
  return {
    events$: subject.asObservable(),
    emit: (event) => subject.next({ ...event, at: scheduler.now() }),
    complete: () => subject.complete(),
  };
}
