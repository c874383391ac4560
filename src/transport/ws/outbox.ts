import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import type { PeerSocket } from './peer-socket.js';
import type { PreparedFrame } from './prepared-frame.js';

/** The part of a socket the outbox needs. */
export type OutboxSocket = Pick<PeerSocket, 'isOpen' | 'bufferedAmount' | 'sendText' | 'sendFrame' | 'ping'>;

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
  /**
   * Bytes written that the peer has not shown it read (see "Read confirmation" on Outbox),
   * past which the socket is lagging as if over `bufferSoftBytes`; 0 turns the check off.
   */
  readonly unreadSoftBytes: number;
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
 *
 * Read confirmation. `bufferedAmount` counts only bytes not yet handed to the kernel, and the
 * kernel takes megabytes (Linux grows a socket's send buffer up to `tcp_wmem`'s maximum, 4 MiB
 * by default) before a reader that stopped reading shows there: by then the reader has
 * megabytes of superseded updates to get through before the final it needs, which on a slow
 * link, or a TCP connection backing off its retransmissions, is a stall (issue 20). So the
 * outbox also counts the bytes it wrote and, with a protocol ping carrying that count, asks
 * the peer how far it has read: a pong echoes the count once the peer has read everything
 * before the ping (TCP keeps order, and RFC 6455 makes every client answer). Written minus
 * confirmed is what the peer has not read, wherever it sits; past `unreadSoftBytes` the socket
 * lags exactly as past the soft limit. A peer that has never answered a ping (a raw client
 * that ignores them) is judged by `bufferedAmount` alone, as before. One probe is out at a
 * time, sent when half the allowance is unconfirmed and, while lagging, at each check.
 */
export class Outbox {
  /** Held updates by topic; defined exactly while the socket is backed up. */
  private held: Map<string, HeldFrames> | undefined;
  private check: Subscription | undefined;
  /** When the current lagging spell began. */
  private laggingSince = 0;
  private disposed = false;
  /** Bytes written to the socket so far (frames and replies). */
  private written = 0;
  /** Of `written`, what the peer has shown it read: the count its latest pong echoed. */
  private confirmed = 0;
  /** Read probes: whether one is out unanswered, and whether the peer ever answered one. */
  private probe: number = ProbeState.Idle;

  constructor(
    private readonly socket: OutboxSocket,
    private readonly options: OutboxOptions,
    private readonly owner: OutboxOwner,
  ) {}

  /** Sends a topic update, or holds it (conflated unless `final`) while the socket is backed up. */
  send(frame: OutgoingFrame, topic: string, final = false): void {
    if (this.held === undefined && this.keepsUp()) {
      if (this.socket.isOpen) this.write(frame);
      return;
    }
    if (!this.disposed) this.hold(frame, topic, final);
  }

  /** A ping that carries the bytes written so far (the heartbeat's pings are probes too). */
  ping(): void {
    if (!this.socket.isOpen) return;
    this.probe |= ProbeState.Probing;
    this.socket.ping(String(this.written));
  }

  /** A pong: the peer has read everything written before the ping it answers. */
  ponged(payload: Uint8Array): void {
    const count = readCount(payload);
    if (count === undefined || count > this.written) return;
    if (count > this.confirmed) this.confirmed = count;
    this.probe = ProbeState.Answering;
  }

  /**
   * Sends a reply (response, error, pong) now: replies are never dropped, and they are
   * bounded by the client's own rate limit. A reply can still start the backed-up state.
   */
  sendReply(frame: string): void {
    if (this.disposed || !this.socket.isOpen) return;
    this.written += Buffer.byteLength(frame);
    this.socket.sendText(frame);
    if (this.held === undefined && !this.keepsUp()) this.backUp();
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
    if (typeof frame === 'string') {
      this.written += Buffer.byteLength(frame);
      this.socket.sendText(frame);
    } else {
      this.written += frame.framed.length;
      this.socket.sendFrame(frame);
    }
    const { unreadSoftBytes } = this.options;
    if (unreadSoftBytes > 0 && (this.probe & ProbeState.Probing) === 0 && this.written - this.confirmed > unreadSoftBytes / 2) this.ping();
  }

  /** Under both allowances: the socket's own buffer, and what a peer that answers pings has not read. */
  private keepsUp(): boolean {
    const { bufferSoftBytes, unreadSoftBytes } = this.options;
    if (this.socket.bufferedAmount > bufferSoftBytes) return false;
    return unreadSoftBytes === 0 || this.probe < ProbeState.Answering || this.written - this.confirmed <= unreadSoftBytes;
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
    const { bufferHardBytes, slowConsumerTimeoutMs, scheduler } = this.options;
    if (!isOpen) {
      this.dispose();
      return;
    }
    if (this.keepsUp()) {
      this.flush();
      return;
    }
    // Nothing is written while lagging: a probe must go out for a pong to come back.
    if ((this.probe & ProbeState.Probing) === 0) this.ping();
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
    if (!this.keepsUp()) {
      this.held = new Map();
    } else {
      this.check?.unsubscribe();
      this.check = undefined;
    }
  }
}

/**
 * Where a socket's read probes stand, as bits: `Probing` (one is out unanswered) and
 * `Answering` (the peer has answered one, so its unread count is trusted). One small integer
 * per socket rather than two fields.
 */
const enum ProbeState {
  Idle = 0,
  Probing = 1,
  Answering = 2,
}

/** The byte count a probe's pong echoes: ASCII decimal digits, or undefined for any other pong. */
function readCount(payload: Uint8Array): number | undefined {
  if (payload.length === 0 || payload.length > 15) return undefined;
  let count = 0;
  for (const byte of payload) {
    if (byte < 0x30 || byte > 0x39) return undefined;
    count = count * 10 + (byte - 0x30);
  }
  return count;
}
