import type { Subscription } from 'rxjs';
import { isSerialized, updateFrame, type TopicUpdate } from '../../domain/update.js';
import type { EmitEvent } from '../../streams/events.js';
import type { OpenedTopic } from '../../streams/hub.js';
import { prepareTextFrame, type PreparedFrame } from './prepared-frame.js';
import { statusMessage, type TopicStatus } from './protocol.js';

/** Anything that can take a framed update of a topic: a session, in practice. */
export interface FrameSink {
  /** Writes one update of `topic`; the frame is the same object for every sink. */
  send(frame: PreparedFrame, topic: string, update: TopicUpdate<unknown>): void;
  /** Bytes waiting on the sink's socket (sampled once per broadcast for the send-buffer histogram). */
  readonly bufferedBytes?: number;
  /** Topics this sink is on; a sink on several gets its writes of one tick batched. */
  readonly subscriptionCount?: number;
  /** Hold writes until `uncork`, so the frames of one tick leave in one write. */
  cork?(): void;
  uncork?(): void;
  /** A message about a topic that is not an update (its status); never conflated. */
  sendStatus?(frame: string): void;
}

/** Runs `flush` once the current tick's synchronous fan-out is over. */
export type EndOfTick = (flush: () => void) => void;

interface FanoutTopic {
  readonly topic: OpenedTopic;
  readonly sinks: Set<FrameSink>;
  subscription?: Subscription;
  /** The latest update and its frame, sent to a sink that joins later (the snapshot on subscribe). */
  readonly latest: { frame?: PreparedFrame; update?: TopicUpdate<unknown> };
  /** When the topic's last update came (or it started), and whether it has been declared stale since. */
  lastUpdateAt: number;
  stale: boolean;
}

/**
 * One hub subscription per topic for the whole gateway, fanned out to every socket that
 * wants the topic. Each update is serialized and framed once per tick, then the same Buffer
 * is written to every socket: no per-client encoding, no per-client RxJS subscription. The
 * first sink subscribes the hub's shared stream; the last one leaving unsubscribes it, so the
 * hub's refcount (and with it the topic's timer) follows real demand. A sink joining a running
 * topic is sent the latest frame at once, so it never waits a whole interval for a bar.
 */
export class TopicFanout {
  private readonly topics = new Map<string, FanoutTopic>();
  /** Broadcasts so far: picks which recipient's send buffer a broadcast samples, in rotation. */
  private broadcasts = 0;
  /** Sinks corked during the current tick, uncorked together when it ends. */
  private readonly held = new Set<FrameSink>();
  private readonly flushHeld = (): void => {
    for (const sink of this.held) sink.uncork?.();
    this.held.clear();
  };

  /**
   * `endOfTick` defaults to a microtask: topics that tick together are driven by one timer
   * callback (see tick-grid.ts), and microtasks run right after it, before any other timer.
   */
  constructor(
    private readonly emit: EmitEvent,
    private readonly now: () => number,
    private readonly endOfTick: EndOfTick = queueMicrotask,
  ) {}

  /** Adds `sink` to the topic; false if it was already there. */
  join(topic: OpenedTopic, sink: FrameSink): boolean {
    const existing = this.topics.get(topic.key);
    if (existing) {
      if (existing.sinks.has(sink)) return false;
      existing.sinks.add(sink);
      const { frame, update } = existing.latest;
      if (frame !== undefined && update !== undefined) sink.send(frame, topic.key, update);
      return true;
    }
    const entry: FanoutTopic = { topic, sinks: new Set<FrameSink>([sink]), latest: {}, lastUpdateAt: this.now(), stale: false };
    const subscription = topic.updates$.subscribe({
      next: (update) => {
        if (entry.stale) this.declare(entry, 'live');
        entry.lastUpdateAt = this.now();
        entry.latest.frame = this.broadcast(topic, entry.sinks, update);
        entry.latest.update = update;
      },
      complete: () => this.topics.delete(topic.key),
      // The hub retries topic errors itself; one that still arrives ends this fan-out only.
      error: () => this.topics.delete(topic.key),
    });
    entry.subscription = subscription;
    if (!subscription.closed) this.topics.set(topic.key, entry);
    return true;
  }

  /** Removes `sink` from the topic; false if it was not there. */
  leave(key: string, sink: FrameSink): boolean {
    const topic = this.topics.get(key);
    if (!topic?.sinks.delete(sink)) return false;
    if (topic.sinks.size === 0) {
      this.topics.delete(key);
      topic.subscription?.unsubscribe();
    }
    return true;
  }

  /**
   * Declares stale every live-fed topic (`OpenedTopic.live`) that has had no update for more
   * than `staleAfterMs`, telling its subscribers with a `<kind>.status` message, so a chart
   * can show "delayed" instead of silently freezing; the next update declares it live again.
   */
  sweepStale(staleAfterMs: number): void {
    const now = this.now();
    for (const entry of this.topics.values()) {
      if (entry.topic.live && !entry.stale && now - entry.lastUpdateAt > staleAfterMs) this.declare(entry, 'stale');
    }
  }

  /** The live-fed topics running here, and those of them declared stale (GET /ready reports them). */
  liveTopics(): { readonly watched: number; readonly stale: string[] } {
    let watched = 0;
    const stale: string[] = [];
    for (const entry of this.topics.values()) {
      if (!entry.topic.live) continue;
      watched += 1;
      if (entry.stale) stale.push(entry.topic.key);
    }
    return { watched, stale };
  }

  private declare(entry: FanoutTopic, status: TopicStatus): void {
    entry.stale = status === 'stale';
    const frame = statusMessage(entry.topic.kind, entry.topic.key, status, entry.lastUpdateAt);
    for (const sink of entry.sinks) sink.sendStatus?.(frame);
    this.emit({ type: 'topic_status', topic: entry.topic.key, status });
  }

  /** The latest update of a running topic, if it has had one. */
  latest(key: string): TopicUpdate<unknown> | undefined {
    return this.topics.get(key)?.latest.update;
  }

  /** Sends one value of `key` to `sink` alone, outside any stream (e.g. a refused topic's error value). */
  notify(sink: FrameSink, kind: string, key: string, value: unknown): void {
    this.notifyUpdate(sink, kind, key, { value, ts: this.now() });
  }

  /** Sends one update of `key` to `sink` alone (a replayed bar, say). */
  notifyUpdate(sink: FrameSink, kind: string, key: string, update: TopicUpdate<unknown>): void {
    sink.send(prepareTextFrame(updateFrame(kind, key, update)), key, update);
  }

  private broadcast(topic: OpenedTopic, sinks: ReadonlySet<FrameSink>, update: TopicUpdate<unknown>): PreparedFrame {
    // An update that arrived serialized (from Redis) is forwarded byte for byte.
    const frame = prepareTextFrame(isSerialized(update) ? update.frame : updateFrame(topic.kind, topic.key, update));
    // One recipient's send buffer per broadcast, in rotation: a histogram observation per
    // frame would cost more than the write itself at 100k frames/s.
    const sampleAt = this.broadcasts++ % Math.max(1, sinks.size);
    let index = 0;
    let sampledBufferedBytes: number | undefined;
    for (const sink of sinks) {
      if ((sink.subscriptionCount ?? 1) > 1) this.holdUntilEndOfTick(sink);
      sink.send(frame, topic.key, update);
      if (index++ === sampleAt) sampledBufferedBytes = sink.bufferedBytes;
    }
    // The update's own time: a bar from Redis carries its generator's, so the delay covers the hop.
    this.emit({ type: 'broadcast_sent', topic: topic.key, recipients: sinks.size, eventTime: update.ts, sampledBufferedBytes });
    return frame;
  }

  /** One write per client per tick: a sink on several topics is corked until the tick ends. */
  private holdUntilEndOfTick(sink: FrameSink): void {
    if (!sink.cork || this.held.has(sink)) return;
    sink.cork();
    this.held.add(sink);
    if (this.held.size === 1) this.endOfTick(this.flushHeld);
  }
}
