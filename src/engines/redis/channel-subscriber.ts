import type { Redis } from 'ioredis';
import { Observable } from 'rxjs';

/** What a subscription to a channel sees: the subscription confirmed (again), or a message. */
export type ChannelEvent = { readonly type: 'subscribed' } | { readonly type: 'message'; readonly text: string };

/** A source of pub/sub channels; Redis in production, a hot observable in marble tests. */
export interface ChannelSource {
  /** SUBSCRIBEs on the first subscriber of `channel`, UNSUBSCRIBEs when the last one leaves. */
  messages(channel: string): Observable<ChannelEvent>;
}

type Listener = (event: ChannelEvent) => void;

/**
 * Every channel a gateway listens to, on one Redis connection in subscriber mode.
 *
 * It keeps its own list of wanted channels rather than trusting the client's
 * auto-resubscribe: on every (re)connect it SUBSCRIBEs exactly the channels that still have
 * listeners, and tells them `subscribed` again, so they can fetch what they missed.
 */
export class RedisChannels implements ChannelSource {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly redis: Redis,
    private readonly reportError: (error: unknown) => void,
  ) {
    redis.on('message', (channel: string, text: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener({ type: 'message', text });
    });
    redis.on('ready', () => {
      for (const channel of this.listeners.keys()) this.subscribe(channel);
    });
  }

  messages(channel: string): Observable<ChannelEvent> {
    return new Observable<ChannelEvent>((subscriber) => {
      const listener: Listener = (event) => subscriber.next(event);
      const existing = this.listeners.get(channel);
      if (existing) {
        existing.add(listener);
        // The channel is already subscribed (or will be on the next ready); fetch now.
        listener({ type: 'subscribed' });
      } else {
        this.listeners.set(channel, new Set([listener]));
        // While Redis is down there is nothing to send; the next `ready` subscribes it.
        if (this.redis.status === 'ready') this.subscribe(channel);
      }
      return () => {
        const listeners = this.listeners.get(channel);
        listeners?.delete(listener);
        if (listeners?.size !== 0) return;
        this.listeners.delete(channel);
        if (this.redis.status === 'ready') this.redis.unsubscribe(channel).catch(this.reportError);
      };
    });
  }

  private subscribe(channel: string): void {
    this.redis.subscribe(channel).then(
      () => {
        for (const listener of this.listeners.get(channel) ?? []) listener({ type: 'subscribed' });
      },
      (error: unknown) => this.reportError(error),
    );
  }
}
