import type { Cluster } from 'ioredis';
import { Observable } from 'rxjs';
import type { ChannelEvent, ChannelSource } from '../../cluster/channel-subscriber.js';

type Listener = (event: ChannelEvent) => void;

/**
 * Every sharded channel a gateway listens to, on a Redis Cluster. ioredis keeps one
 * subscriber connection per primary that owns a wanted channel, and moves the
 * subscriptions when the slot map changes (a failover, a slot migrated, the unsolicited
 * SUNSUBSCRIBE a shard sends when it gives a slot away); this class decides which channels
 * are wanted and tells their streams each time a channel is subscribed (again), so they
 * fetch what they may have missed in between.
 */
export class ShardedChannels implements ChannelSource {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly reportError: (error: unknown) => void,
  ) {
    cluster.on('smessage', (channel: string, text: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener({ type: 'message', text });
    });
    // The subscriber group was rebuilt (new primaries, moved slots): ioredis has resubscribed
    // every channel without waiting for the replies, so confirm each one before its stream
    // refetches the stored frame (SSUBSCRIBE of a subscribed channel changes nothing).
    cluster.on('subscribersReady', () => {
      for (const channel of this.listeners.keys()) this.subscribe(channel);
    });
    cluster.on('ready', () => {
      for (const channel of this.listeners.keys()) this.subscribe(channel);
    });
  }

  messages(channel: string): Observable<ChannelEvent> {
    return new Observable<ChannelEvent>((subscriber) => {
      const listener: Listener = (event) => subscriber.next(event);
      const existing = this.listeners.get(channel);
      if (existing) {
        existing.add(listener);
        listener({ type: 'subscribed' });
      } else {
        this.listeners.set(channel, new Set([listener]));
        // While the cluster is unreachable there is nothing to send; `ready` subscribes it.
        if (this.cluster.status === 'ready') this.subscribe(channel);
      }
      return () => {
        const listeners = this.listeners.get(channel);
        listeners?.delete(listener);
        if (listeners?.size !== 0) return;
        this.listeners.delete(channel);
        if (this.cluster.status === 'ready') this.cluster.sunsubscribe(channel).catch(this.reportError);
      };
    });
  }

  private subscribe(channel: string): void {
    this.cluster.ssubscribe(channel).then(
      () => {
        for (const listener of this.listeners.get(channel) ?? []) listener({ type: 'subscribed' });
      },
      (error: unknown) => this.reportError(error),
    );
  }
}
