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
 * The pub/sub of one connection, as `RedisChannels` uses it: classic SUBSCRIBE on one Redis
 * (`classicPubSub`), sharded SSUBSCRIBE on a Redis Cluster (engines/redis-cluster).
 */
export interface PubSubConnection {
  /** Whether (un)subscribing can be sent now; when not, the next `onResubscribe` does it. */
  isReady(): boolean;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  onMessage(listener: (channel: string, text: string) => void): void;
  /** Every wanted channel must be subscribed (again): connected, or the subscriptions moved. */
  onResubscribe(listener: () => void): void;
}

/** Classic pub/sub on one Redis connection in subscriber mode; (re)connecting resubscribes. */
export function classicPubSub(redis: Redis): PubSubConnection {
  return {
    isReady: () => redis.status === 'ready',
    subscribe: (channel) => redis.subscribe(channel),
    unsubscribe: (channel) => redis.unsubscribe(channel),
    onMessage: (listener) => redis.on('message', listener),
    onResubscribe: (listener) => redis.on('ready', listener),
  };
}

/**
 * Every channel a gateway listens to, on one pub/sub connection.
 *
 * It keeps its own list of wanted channels rather than trusting the client's
 * auto-resubscribe: on every (re)connect it subscribes exactly the channels that still have
 * listeners, and tells them `subscribed` again once the server confirmed, so they can fetch
 * what they missed.
 */
export class RedisChannels implements ChannelSource {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly connection: PubSubConnection,
    private readonly reportError: (error: unknown) => void,
  ) {
    connection.onMessage((channel, text) => {
      for (const listener of this.listeners.get(channel) ?? []) listener({ type: 'message', text });
    });
    connection.onResubscribe(() => {
      for (const channel of this.listeners.keys()) this.subscribe(channel);
    });
  }

  messages(channel: string): Observable<ChannelEvent> {
    return new Observable<ChannelEvent>((subscriber) => {
      const listener: Listener = (event) => subscriber.next(event);
      const existing = this.listeners.get(channel);
      if (existing) {
        existing.add(listener);
        // The channel is already subscribed (or will be on the next resubscribe); fetch now.
        listener({ type: 'subscribed' });
      } else {
        this.listeners.set(channel, new Set([listener]));
        // While Redis is down there is nothing to send; the next resubscribe does it.
        if (this.connection.isReady()) this.subscribe(channel);
      }
      return () => {
        const listeners = this.listeners.get(channel);
        listeners?.delete(listener);
        if (listeners?.size !== 0) return;
        this.listeners.delete(channel);
        if (this.connection.isReady()) this.connection.unsubscribe(channel).catch(this.reportError);
      };
    });
  }

  private subscribe(channel: string): void {
    this.connection.subscribe(channel).then(
      () => {
        for (const listener of this.listeners.get(channel) ?? []) listener({ type: 'subscribed' });
      },
      (error: unknown) => this.reportError(error),
    );
  }
}
