import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import { WebSocket } from 'ws';

/** The part of a ws WebSocket the outbox needs. */
export interface OutboxSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(frame: string): void;
}

export interface OutboxOptions {
  /** Buffered bytes past which updates are held back and conflated. */
  readonly softBytes: number;
  /** Buffered bytes that, held for `slowConsumerTimeoutMs`, make the peer a slow consumer. */
  readonly hardBytes: number;
  readonly slowConsumerTimeoutMs: number;
  /** How often a backed-up socket is looked at again. */
  readonly drainCheckMs: number;
  readonly scheduler: SchedulerLike;
  /** An update was replaced by a newer one of the same topic before it could be sent. */
  readonly onConflated: (topic: string, bufferedBytes: number) => void;
  /** The socket stayed over the hard limit for too long: the owner should close it. */
  readonly onSlowConsumer: () => void;
}

/**
 * Backpressure for one socket. While the socket's buffer is under the soft limit an update
 * is written straight through (one `socket.send`, nothing allocated). Past it, updates are
 * held, keeping only the latest per topic (a bar supersedes the previous one of its topic),
 * and a check runs every `drainCheckMs`: once the buffer is back under the soft limit the
 * held updates are flushed; if it stays over the hard limit for `slowConsumerTimeoutMs` the
 * owner is told to close the socket. Memory per socket is therefore bounded by the soft
 * limit, one frame, and one held frame per subscribed topic.
 */
export class Outbox {
  /** Held updates by topic; defined exactly while the socket is backed up. */
  private held: Map<string, string> | undefined;
  private check: Subscription | undefined;
  private overHardSince: number | undefined;

  constructor(
    private readonly socket: OutboxSocket,
    private readonly options: OutboxOptions,
  ) {}

  /** Sends a topic update, or holds it (conflated) while the socket is backed up. */
  send(frame: string, topic: string): void {
    if (this.held === undefined && this.socket.bufferedAmount <= this.options.softBytes) {
      if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
      return;
    }
    this.hold(frame, topic);
  }

  /**
   * Sends a reply (response, error, pong) now: replies are never dropped, and they are
   * bounded by the client's own rate limit. A reply can still start the backed-up state.
   */
  sendReply(frame: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame);
    if (this.held === undefined && this.socket.bufferedAmount > this.options.softBytes) this.backUp();
  }

  /** Drops a held update of a topic the client has left, so it is never sent after the unsubscribe response. */
  forget(topic: string): void {
    this.held?.delete(topic);
  }

  /** Stops the drain check; held updates are dropped with the socket. */
  dispose(): void {
    this.check?.unsubscribe();
    this.check = undefined;
    this.held = undefined;
  }

  private hold(frame: string, topic: string): void {
    const held = this.held ?? this.backUp();
    if (held.has(topic)) this.options.onConflated(topic, this.socket.bufferedAmount);
    held.set(topic, frame);
  }

  private backUp(): Map<string, string> {
    const held = new Map<string, string>();
    this.held = held;
    this.check ??= interval(this.options.drainCheckMs, this.options.scheduler).subscribe(() => this.recheck());
    return held;
  }

  private recheck(): void {
    const { bufferedAmount, readyState } = this.socket;
    const { softBytes, hardBytes, slowConsumerTimeoutMs, scheduler } = this.options;
    if (readyState !== WebSocket.OPEN) {
      this.dispose();
      return;
    }
    if (bufferedAmount <= softBytes) {
      this.flush();
      return;
    }
    if (bufferedAmount <= hardBytes) {
      this.overHardSince = undefined;
      return;
    }
    const now = scheduler.now();
    this.overHardSince ??= now;
    if (now - this.overHardSince >= slowConsumerTimeoutMs) {
      this.dispose();
      this.options.onSlowConsumer();
    }
  }

  private flush(): void {
    const held = this.held;
    this.held = undefined;
    this.overHardSince = undefined;
    if (held) for (const frame of held.values()) this.socket.send(frame);
    // Flushing may fill the buffer again; then stay backed up and keep checking.
    if (this.socket.bufferedAmount > this.options.softBytes) {
      this.held = new Map();
    } else {
      this.check?.unsubscribe();
      this.check = undefined;
    }
  }
}
