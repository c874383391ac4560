import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import { writePreparedFrame, type PreparedFrame } from './prepared-frame.js';

/** The part of a ws WebSocket the outbox needs. */
export interface OutboxSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(frame: string): void;
}

/** An update as the fan-out hands it over (framed once for all sockets), or plain text. */
export type OutgoingFrame = PreparedFrame | string;

/** Limits shared by every outbox of a gateway (one object, not one per socket). */
export interface OutboxOptions {
  /** Buffered bytes past which the socket is lagging: updates are held back and conflated. */
  readonly softBytes: number;
  /** Buffered bytes that make the peer a slow consumer at the next check. */
  readonly hardBytes: number;
  /** How long a socket may lag without a break before it is a slow consumer. */
  readonly slowConsumerTimeoutMs: number;
  /** How often a backed-up socket is looked at again. */
  readonly drainCheckMs: number;
  readonly scheduler: SchedulerLike;
}

/** Who hears about one outbox's socket falling behind: its connection. */
export interface OutboxOwner {
  /** An update was replaced by a newer one of the same topic before it could be sent. */
  onConflated(topic: string, bufferedBytes: number): void;
  /** The socket stayed over the hard limit for too long: the owner should close it. */
  onSlowConsumer(): void;
}

/**
 * Backpressure for one socket. While the socket's buffer is under the soft limit an update
 * is written straight through (one `socket.send`, nothing allocated). Past it, updates are
 * held, keeping only the latest per topic (a bar supersedes the previous one of its topic),
 * and a check runs every `drainCheckMs`: once the buffer is back under the soft limit the
 * held updates are flushed. Since nothing more is written while lagging, memory per socket
 * is bounded by the soft limit, one frame, and one held frame per subscribed topic.
 *
 * A socket that lags for `slowConsumerTimeoutMs` without a break, or is found over the hard
 * limit (only replies or one huge frame can get it there), is a slow consumer: the owner is
 * told to close it.
 */
export class Outbox {
  /** Held updates by topic; defined exactly while the socket is backed up. */
  private held: Map<string, OutgoingFrame> | undefined;
  private check: Subscription | undefined;
  /** When the current lagging spell began. */
  private laggingSince = 0;
  private disposed = false;

  constructor(
    private readonly socket: OutboxSocket,
    private readonly options: OutboxOptions,
    private readonly owner: OutboxOwner,
  ) {}

  /** Sends a topic update, or holds it (conflated) while the socket is backed up. */
  send(frame: OutgoingFrame, topic: string): void {
    if (this.held === undefined && this.socket.bufferedAmount <= this.options.softBytes) {
      if (this.socket.readyState === WebSocket.OPEN) this.write(frame);
      return;
    }
    if (!this.disposed) this.hold(frame, topic);
  }

  /**
   * Sends a reply (response, error, pong) now: replies are never dropped, and they are
   * bounded by the client's own rate limit. A reply can still start the backed-up state.
   */
  sendReply(frame: string): void {
    if (this.disposed || this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame);
    if (this.held === undefined && this.socket.bufferedAmount > this.options.softBytes) this.backUp();
  }

  /** Drops a held update of a topic the client has left, so it is never sent after the unsubscribe response. */
  forget(topic: string): void {
    this.held?.delete(topic);
  }

  /** Stops the drain check and holds nothing more: the socket is closing or closed. */
  dispose(): void {
    this.disposed = true;
    this.check?.unsubscribe();
    this.check = undefined;
    this.held = undefined;
  }

  private write(frame: OutgoingFrame): void {
    if (typeof frame === 'string') this.socket.send(frame);
    else writePreparedFrame(this.socket, frame);
  }

  private hold(frame: OutgoingFrame, topic: string): void {
    const held = this.held ?? this.backUp();
    if (held.has(topic)) this.owner.onConflated(topic, this.socket.bufferedAmount);
    held.set(topic, frame);
  }

  private backUp(): Map<string, OutgoingFrame> {
    const held = new Map<string, OutgoingFrame>();
    this.held = held;
    this.laggingSince = this.options.scheduler.now();
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
    if (bufferedAmount > hardBytes || scheduler.now() - this.laggingSince >= slowConsumerTimeoutMs) {
      this.dispose();
      this.owner.onSlowConsumer();
    }
  }

  private flush(): void {
    const held = this.held;
    this.held = undefined;
    if (held) for (const frame of held.values()) this.write(frame);
    // Flushing may fill the buffer again; then the same lagging spell goes on.
    if (this.socket.bufferedAmount > this.options.softBytes) {
      this.held = new Map();
    } else {
      this.check?.unsubscribe();
      this.check = undefined;
    }
  }
}
