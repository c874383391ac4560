import type { WebSocket as UwsWebSocket } from '@trufflesuite/uws-js-unofficial';
import type { PeerListener, PeerSocket } from './peer-socket.js';
import type { PreparedFrame } from './prepared-frame.js';

type Outgoing = string | Buffer;

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
 */
export class UwsPeerSocket implements PeerSocket {
  private listener: PeerListener | undefined;
  private closing = false;
  /** Frames held while corked; kept (emptied) between ticks, so a corked socket allocates it once. */
  private held: Outgoing[] | undefined;
  private corked = false;

  constructor(private socket: UwsWebSocket<unknown> | undefined) {}

  get isOpen(): boolean {
    return this.socket !== undefined && !this.closing;
  }

  get bufferedAmount(): number {
    return this.socket?.getBufferedAmount() ?? 0;
  }

  sendText(text: string): void {
    this.write(text);
  }

  sendFrame(frame: PreparedFrame): void {
    this.write(frame.payload);
  }

  cork(): void {
    this.corked = true;
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    if (this.held === undefined || this.held.length === 0) return;
    if (this.isOpen) {
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- read by writeHeld during the cork call only (see `flushing`)
      flushing = this;
      this.socket?.cork(writeHeld);
      flushing = undefined;
    }
    this.held.length = 0;
  }

  /** Inside uWS's cork: the frames held since `cork`, in order. */
  writeHeldNow(): void {
    const socket = this.socket;
    if (socket === undefined || this.held === undefined) return;
    for (const message of this.held) socket.send(message, false);
  }

  ping(payload: string): void {
    if (this.isOpen) this.socket?.ping(payload);
  }

  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.closing = true;
    this.socket?.end(code, reason);
  }

  terminate(): void {
    this.closing = true;
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
    if (this.corked) (this.held ??= []).push(message);
    else this.socket?.send(message, false);
  }
}
