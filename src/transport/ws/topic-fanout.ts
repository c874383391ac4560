import type { Subscription } from 'rxjs';
import type { EmitEvent } from '../../streams/events.js';
import { frameOf } from '../../streams/framed-value.js';
import type { OpenedTopic } from '../../streams/hub.js';
import { updateMessage } from './protocol.js';

/** Anything that can take a serialized frame of a topic: a session, in practice. */
export interface FrameSink {
  send(frame: string, topic: string): void;
}

interface FanoutTopic {
  readonly sinks: Set<FrameSink>;
  readonly subscription: Subscription;
  /** The latest update frame, sent to a sink that joins later (the snapshot on subscribe). */
  readonly latest: { frame?: string };
}

/**
 * One hub subscription per topic for the whole gateway, fanned out to every socket that
 * wants the topic. Each update is serialized once per tick, then the same string is written
 * to every socket: no per-client encoding, no per-client RxJS subscription. The first sink
 * subscribes the hub's shared stream; the last one leaving unsubscribes it, so the hub's
 * refcount (and with it the topic's timer) follows real demand. A sink joining a running
 * topic is sent the latest frame at once, so it never waits a whole interval for a bar.
 */
export class TopicFanout {
  private readonly topics = new Map<string, FanoutTopic>();

  constructor(
    private readonly emit: EmitEvent,
    private readonly now: () => number,
  ) {}

  /** Adds `sink` to the topic; false if it was already there. */
  join(topic: OpenedTopic, sink: FrameSink): boolean {
    const existing = this.topics.get(topic.key);
    if (existing) {
      if (existing.sinks.has(sink)) return false;
      existing.sinks.add(sink);
      if (existing.latest.frame !== undefined) sink.send(existing.latest.frame, topic.key);
      return true;
    }
    const sinks = new Set<FrameSink>([sink]);
    const latest: { frame?: string } = {};
    const subscription = topic.stream$.subscribe({
      next: (value) => {
        latest.frame = this.broadcast(topic, sinks, value);
      },
      complete: () => this.topics.delete(topic.key),
      // The hub retries topic errors itself; one that still arrives ends this fan-out only.
      error: () => this.topics.delete(topic.key),
    });
    if (!subscription.closed) this.topics.set(topic.key, { sinks, subscription, latest });
    return true;
  }

  /** Removes `sink` from the topic; false if it was not there. */
  leave(key: string, sink: FrameSink): boolean {
    const topic = this.topics.get(key);
    if (!topic?.sinks.delete(sink)) return false;
    if (topic.sinks.size === 0) {
      this.topics.delete(key);
      topic.subscription.unsubscribe();
    }
    return true;
  }

  /** Sends one update of `key` to `sink` alone, outside any stream (e.g. a refused topic's error value). */
  notify(sink: FrameSink, kind: string, key: string, value: unknown): void {
    sink.send(updateMessage(kind, key, this.now(), value), key);
  }

  private broadcast(topic: OpenedTopic, sinks: ReadonlySet<FrameSink>, value: unknown): string {
    // A value that arrived serialized (from Redis) is forwarded byte for byte.
    const frame = frameOf(value) ?? updateMessage(topic.kind, topic.key, this.now(), value);
    for (const sink of sinks) sink.send(frame, topic.key);
    this.emit({ type: 'broadcast_sent', topic: topic.key, recipients: sinks.size });
    return frame;
  }
}
