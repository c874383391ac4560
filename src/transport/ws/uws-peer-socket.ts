import type { WebSocket as UwsWebSocket } from '@trufflesuite/uws-js-unofficial';
import type { PeerListener, PeerSocket } from './peer-socket.js';
import type { PreparedFrame } from './prepared-frame.js';

type Outgoing = string | Buffer;

/** uWS's send status for a message handed to the kernel whole (0: some of it is buffered; 2: dropped, which MAX_BACKPRESSURE rules out). */
const SENT = 1;

/**
 * What is known of the socket: open with nothing buffered in uWS, open and maybe buffering,
 * or closing (a close was begun; writes are dropped).
 */
type SocketState = 'drained' | 'buffering' | 'closing';

/** The socket whose held frames `writeHeld` writes (uWS's cork takes a callback; one shared function, no closure per tick). */
let flushing: UwsPeerSocket | undefined;

function writeHeld(): void {
  flushing?.writeHeldNow();
}

/**
 * The uws engine's socket. uWS forbids any use of its WebSocket after its close handler ran
 * (it throws), so `socket` is dropped right there and every method checks it: a write to a
 * closed socket is dropped, as ws drops it.
 *
 * Corking: uWS corks only for the length of a callback (`ws.cork(fn)`), while the fan-out
 * corks a multi-topic socket from its first update of a tick until a microtask after the
 * tick. So `cork` holds the frames here (references to the shared frames, no copy) and
 * `uncork` writes them inside one uWS cork: one write system call per tick, as with ws.
 *
 * `bufferedAmount` is asked once per frame (the outbox's backlog check), and each answer from
 * uWS is a call into C++: so it is answered here where it is known. uWS's buffer grows only
 * by our writes, and each write says whether it was all handed to the kernel (`SENT`): while
 * the last one was, nothing is buffered and the answer is 0; after one that was not, uWS is
 * asked, until it says 0 again. While corked, the answer is that, read once at `cork`, plus
 * the bytes held since (as ws's count includes a corked socket's writes).
 */
export class UwsPeerSocket implements PeerSocket {
  private listener: PeerListener | undefined;
  private state: SocketState = 'drained';
  /** Frames held while corked; kept (emptied) between ticks, so a corked socket allocates it once. */
  private held: Outgoing[] | undefined;
  /** Corked: uWS's buffered bytes at `cork` plus the bytes held since. Not corked: -1. */
  private corkedBytes = -1;

  constructor(private socket: UwsWebSocket<unknown> | undefined) {}

  get isOpen(): boolean {
    return this.socket !== undefined && this.state !== 'closing';
  }

  get bufferedAmount(): number {
    if (this.corkedBytes >= 0) return this.corkedBytes;
    return this.unsentBytes();
  }

  /** What uWS holds unsent: 0 without asking while the last write went out whole. */
  private unsentBytes(): number {
    if (this.state === 'drained') return 0;
    const amount = this.socket?.getBufferedAmount() ?? 0;
    if (amount === 0 && this.state === 'buffering') this.state = 'drained';
    return amount;
  }

  sendText(text: string): void {
    this.write(text);
  }

  sendFrame(frame: PreparedFrame): void {
    this.write(frame.payload);
  }

  cork(): void {
    if (this.corkedBytes < 0) this.corkedBytes = this.unsentBytes();
  }

  uncork(): void {
    if (this.corkedBytes < 0) return;
    this.corkedBytes = -1;
    this.writeHeldFrames();
  }

  /** The frames held since `cork`, in one uWS cork (one write), and nothing held after. */
  private writeHeldFrames(): void {
    if (this.held === undefined || this.held.length === 0) return;
    if (this.isOpen) {
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- read by writeHeld during the cork call only (see `flushing`)
      flushing = this;
      this.socket?.cork(writeHeld);
      flushing = undefined;
      // What the cork's one write could not hand to the kernel is in uWS's buffer now.
      if (this.socket !== undefined && this.socket.getBufferedAmount() > 0) this.state = 'buffering';
    }
    this.held.length = 0;
  }

  /** Inside uWS's cork: the frames held since `cork`, in order. */
  writeHeldNow(): void {
    const socket = this.socket;
    if (socket === undefined || this.held === undefined) return;
    for (const message of this.held) socket.send(message, false);
  }

  /**
   * A ping goes after every frame written before it, as on ws (where it joins the corked
   * socket's queue): its payload counts those frames (the outbox's read confirmation), so a
   * ping that overtook the frames held by a cork would have the peer confirm bytes it had not
   * been sent yet. So held frames are written first; the socket stays corked for the rest of the tick.
   */
  ping(payload: string): void {
    if (!this.isOpen) return;
    if (this.corkedBytes >= 0 && this.held !== undefined && this.held.length > 0) {
      this.writeHeldFrames();
      this.corkedBytes = this.unsentBytes();
    }
    if (this.socket?.ping(payload) !== SENT) this.state = 'buffering';
  }

  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.state = 'closing';
    this.socket?.end(code, reason);
  }

  terminate(): void {
    this.state = 'closing';
    this.socket?.close();
  }

  listen(listener: PeerListener): void {
    this.listener = listener;
  }

  // The engine's side (uws-engine.ts): what uWS reports of this socket.
  received(data: ArrayBuffer, isBinary: boolean): void {
    // A view, not a copy: the session parses it before this call returns, while uWS's buffer is valid.
    this.listener?.received(Buffer.from(data), isBinary);
  }

  ponged(payload: ArrayBuffer): void {
    this.listener?.pong(new Uint8Array(payload));
  }

  /** uWS's close handler ran: the socket must not be touched again. */
  gone(): void {
    this.socket = undefined;
    this.held = undefined;
    const listener = this.listener;
    this.listener = undefined;
    listener?.closed();
  }

  private write(message: Outgoing): void {
    if (!this.isOpen) return;
    if (this.corkedBytes >= 0) {
      (this.held ??= []).push(message);
      this.corkedBytes += typeof message === 'string' ? Buffer.byteLength(message) : message.byteLength;
    } else if (this.socket?.send(message, false) !== SENT) {
      this.state = 'buffering';
    }
  }
}
