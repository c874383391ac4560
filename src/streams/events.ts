import { Subject, type Observable, type SchedulerLike } from 'rxjs';

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
  | { readonly type: 'broadcast_sent'; readonly topic: string; readonly recipients: number }
  | { readonly type: 'client_joined' }
  | { readonly type: 'client_left' }
  | { readonly type: 'subscription_added'; readonly topic: string }
  | { readonly type: 'subscription_removed'; readonly topic: string };

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
