import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import type { PeerSocket } from './peer-socket.js';
import type { PreparedFrame } from './prepared-frame.js';

/** The part of a socket the outbox needs. */
export type OutboxSocket = Pick<PeerSocket, 'isOpen' | 'bufferedAmount' | 'sendText' | 'sendFrame'>;

/** An update as the fan-out hands it over (framed once for all sockets), or plain text. */
export type OutgoingFrame = PreparedFrame | string;

/** Limits shared by every outbox of a gateway (one object, not one per socket). */
export interface OutboxOptions {
  /** Buffered bytes past which the socket is lagging: updates are held back and conflated. */
  readonly bufferSoftBytes: number;
  /** Buffered bytes that make the peer a slow consumer at the next check. */
  readonly bufferHardBytes: number;
  /** How long a socket may lag without a break before it is a slow consumer. */
  readonly slowConsumerTimeoutMs: number;
  /** How often a backed-up socket is looked at again. */
  readonly drainCheckMs: number;
  readonly scheduler: SchedulerLike;
}

/** Who hears about one outbox's socket falling behind: its connection. */
export interface OutboxOwner {
  /** An update was replaced by a newer one of the same topic and bar before it could be sent. */
  onConflated(topic: string, bufferedBytes: number): void;
  /** The socket stayed over the hard limit for too long: the owner should close it. */
  onSlowConsumer(): void;
}

/** What is held of one topic while the socket lags: its closed bars in order, then the forming one. */
interface HeldFrames {
  readonly finals: OutgoingFrame[];
  forming?: OutgoingFrame | undefined;
}

/**
 * Backpressure for one socket. While the socket's buffer is under the soft limit an update
 * is written straight through (one `socket.sendFrame`, nothing allocated). Past it, updates are
 * held, conflated per topic and bar: a forming bar's update supersedes the previous one of
 * its topic, but a final one (the bar's close) is never superseded; it waits, in order, for
 * the socket to drain. A check runs every `drainCheckMs`: once the buffer is back under the
 * soft limit the held updates are flushed. Since nothing more is written while lagging,
 * memory per socket is bounded by the soft limit, one frame, and per subscribed topic one
 * forming update and the finals of the bars that closed during the lag (the lag itself is
 * bounded by `slowConsumerTimeoutMs`).
 *
 * A socket that lags for `slowConsumerTimeoutMs` without a break, or is found over the hard
 * limit (only replies or one huge frame can get it there), is a slow consumer: the owner is
 * told to close it.
 */
export class Outbox {
  /** Held updates by topic; defined exactly while the socket is backed up. */
  private held: Map<string, HeldFrames> | undefined;
  private check: Subscription | undefined;
  /** When the current lagging spell began. */
  private laggingSince = 0;
  private disposed = false;

  constructor(
    private readonly socket: OutboxSocket,
    private readonly options: OutboxOptions,
    private readonly owner: OutboxOwner,
  ) {}

  /** Sends a topic update, or holds it (conflated unless `final`) while the socket is backed up. */
  send(frame: OutgoingFrame, topic: string, final = false): void {
    if (this.held === undefined && this.socket.bufferedAmount <= this.options.bufferSoftBytes) {
      if (this.socket.isOpen) this.write(frame);
      return;
    }
    if (!this.disposed) this.hold(frame, topic, final);
  }

  /**
   * Sends a reply (response, error, pong) now: replies are never dropped, and they are
   * bounded by the client's own rate limit. A reply can still start the backed-up state.
   */
  sendReply(frame: string): void {
    if (this.disposed || !this.socket.isOpen) return;
    this.socket.sendText(frame);
    if (this.held === undefined && this.socket.bufferedAmount > this.options.bufferSoftBytes) this.backUp();
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
    if (typeof frame === 'string') this.socket.sendText(frame);
    else this.socket.sendFrame(frame);
  }

  private hold(frame: OutgoingFrame, topic: string, final: boolean): void {
    const held = this.held ?? this.backUp();
    const frames = held.get(topic);
    if (!frames) {
      held.set(topic, final ? { finals: [frame] } : { finals: [], forming: frame });
      return;
    }
    // Updates come in time order: a held forming update is of the bar this one updates or closes.
    if (frames.forming !== undefined) this.owner.onConflated(topic, this.socket.bufferedAmount);
    if (final) {
      frames.finals.push(frame);
      frames.forming = undefined;
    } else {
      frames.forming = frame;
    }
  }

  private backUp(): Map<string, HeldFrames> {
    const held = new Map<string, HeldFrames>();
    this.held = held;
    this.laggingSince = this.options.scheduler.now();
    this.check ??= interval(this.options.drainCheckMs, this.options.scheduler).subscribe(() => this.recheck());
    return held;
  }

  private recheck(): void {
    const { bufferedAmount, isOpen } = this.socket;
    const { bufferSoftBytes, bufferHardBytes, slowConsumerTimeoutMs, scheduler } = this.options;
    if (!isOpen) {
      this.dispose();
      return;
    }
    if (bufferedAmount <= bufferSoftBytes) {
      this.flush();
      return;
    }
    if (bufferedAmount > bufferHardBytes || scheduler.now() - this.laggingSince >= slowConsumerTimeoutMs) {
      this.dispose();
      this.owner.onSlowConsumer();
    }
  }

  private flush(): void {
    const held = this.held;
    this.held = undefined;
    if (held) {
      for (const { finals, forming } of held.values()) {
        for (const frame of finals) this.write(frame);
        if (forming !== undefined) this.write(forming);
      }
    }
    // Flushing may fill the buffer again; then the same lagging spell goes on.
    if (this.socket.bufferedAmount > this.options.bufferSoftBytes) {
      this.held = new Map();
    } else {
      this.check?.unsubscribe();
      this.check = undefined;
    }
  }
}
