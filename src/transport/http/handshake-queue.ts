import type { Socket } from 'node:net';
import { ERRORS } from '../../domain/errors.js';

/** How many handshakes one client address may have in progress, and how many more may wait for a place. */
export interface HandshakeLimits {
  /** Connections of one address handed to the HTTP server that have not yet sent a complete request. */
  readonly maxHandshakesPerIp: number;
  /** Further connections of that address held, unread, in arrival order, until one of those finishes (0: none, dropped at once as before). */
  readonly handshakeQueuePerIp: number;
  /** The longest a connection waits in that queue; then it is answered 503 with Retry-After and closed. */
  readonly handshakeQueueTimeoutMs: number;
}

/** Why a connection was turned away before its request was read. */
export type HandshakeRefusal = 'queue-full' | 'queue-timeout';

export interface HandshakeQueueEvents {
  /** Hands the socket to the HTTP server: from now on its request is read, under the header deadline. */
  begin(socket: Socket): void;
  /** Told of every refusal, with the client address, before the socket is answered and closed. */
  refused(address: string, reason: HandshakeRefusal): void;
}

/** One address's handshakes: how many are in progress, and the sockets waiting (a Set keeps arrival order). */
interface AddressLine {
  inProgress: number;
  readonly waiting: Set<Socket>;
}

/**
 * Holds a burst of connections from one address instead of dropping it. A NAT, a mobile
 * carrier or a balancer that hides client addresses puts thousands of clients behind one,
 * and after a restart they all reconnect at once: each address may have
 * `maxHandshakesPerIp` handshakes in progress, and up to `handshakeQueuePerIp` more wait,
 * unread, for a place (a held socket costs its descriptor and an entry here, nothing is read
 * from it). As each handshake completes (its request is in) or its socket closes, the next
 * waiting socket of that address begins. A slowloris is still cut: its handshakes run into the
 * header deadline, the waiting ones into `handshakeQueueTimeoutMs`, and past the queue a
 * connection is refused at once. A refused connection is answered `503` with `Retry-After`
 * and closed, so an HTTP or WebSocket client learns when to come back.
 */
export class HandshakeQueue {
  private readonly lines = new Map<string, AddressLine>();
  /** Every socket in progress or waiting, with its address. */
  private readonly addresses = new Map<Socket, string>();
  private readonly retryAfterSeconds: number;
  // Shared listeners (one function for all sockets, the socket is `this`): nothing is allocated per waiting socket.
  private readonly onClose: (this: Socket) => void;
  private readonly onWaitedTooLong: (this: Socket) => void;

  constructor(
    private readonly limits: HandshakeLimits,
    private readonly events: HandshakeQueueEvents,
  ) {
    this.retryAfterSeconds = Math.max(1, Math.ceil(limits.handshakeQueueTimeoutMs / 1000));
    const settle = (socket: Socket): void => this.settle(socket);
    const timedOut = (socket: Socket): void => {
      const address = this.addresses.get(socket);
      if (address !== undefined) this.refuse(socket, address, 'queue-timeout');
    };
    this.onClose = function (this: Socket) {
      settle(this);
    };
    this.onWaitedTooLong = function (this: Socket) {
      timedOut(this);
    };
  }

  /** A new connection of `address`: begins now, waits, or is refused. */
  admit(socket: Socket, address: string): void {
    let line = this.lines.get(address);
    if (line === undefined) {
      line = { inProgress: 0, waiting: new Set() };
      this.lines.set(address, line);
    }
    if (line.inProgress >= this.limits.maxHandshakesPerIp && line.waiting.size >= this.limits.handshakeQueuePerIp) {
      if (line.inProgress === 0 && line.waiting.size === 0) this.lines.delete(address);
      this.refuse(socket, address, 'queue-full');
      return;
    }
    this.addresses.set(socket, address);
    socket.on('close', this.onClose);
    if (line.inProgress < this.limits.maxHandshakesPerIp) {
      line.inProgress += 1;
      this.events.begin(socket);
      return;
    }
    line.waiting.add(socket);
    socket.setTimeout(this.limits.handshakeQueueTimeoutMs);
    socket.on('timeout', this.onWaitedTooLong);
  }

  /** The socket's request is complete (or it closed): its address's next waiting socket begins. */
  settle(socket: Socket): void {
    const address = this.addresses.get(socket);
    if (address === undefined) return;
    this.addresses.delete(socket);
    socket.off('close', this.onClose);
    const line = this.lines.get(address);
    if (line === undefined) return;
    if (line.waiting.delete(socket)) {
      this.stopWaiting(socket);
    } else {
      line.inProgress -= 1;
      this.beginNext(line);
    }
    if (line.inProgress === 0 && line.waiting.size === 0) this.lines.delete(address);
  }

  /** Destroys every waiting socket (the server is stopping: the HTTP server does not know them, so it would wait for them). */
  close(): void {
    for (const line of this.lines.values()) for (const socket of line.waiting) socket.destroy();
  }

  /** Sockets waiting now, over every address (for tests and metrics). */
  get waiting(): number {
    let waiting = 0;
    for (const line of this.lines.values()) waiting += line.waiting.size;
    return waiting;
  }

  private beginNext(line: AddressLine): void {
    while (line.inProgress < this.limits.maxHandshakesPerIp) {
      const next = line.waiting.values().next();
      if (next.done === true) return;
      const socket = next.value;
      line.waiting.delete(socket);
      this.stopWaiting(socket);
      if (socket.destroyed) {
        this.addresses.delete(socket);
        continue;
      }
      line.inProgress += 1;
      this.events.begin(socket);
    }
  }

  private stopWaiting(socket: Socket): void {
    socket.off('timeout', this.onWaitedTooLong);
    socket.setTimeout(0);
  }

  private refuse(socket: Socket, address: string, reason: HandshakeRefusal): void {
    this.settle(socket);
    this.events.refused(address, reason);
    const { message, status } = ERRORS.TOO_MANY_HANDSHAKES;
    const body = JSON.stringify({ status: 'error', code: 'TOO_MANY_HANDSHAKES', message });
    // Ended, then destroyed once written: a half-open socket whose peer never reads must not stay.
    socket.end(
      `HTTP/1.1 ${status} Service Unavailable\r\nRetry-After: ${this.retryAfterSeconds}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  }
}
