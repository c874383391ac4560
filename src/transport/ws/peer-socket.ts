import type { RawData } from 'ws';
import type { PreparedFrame } from './prepared-frame.js';

/**
 * One client's WebSocket, as the connection, session, outbox and fan-out use it, whichever
 * engine carries it (`transport.engine`): ws on Node's HTTP server (ws-peer-socket.ts, the
 * default) or uWebSockets.js on its own port (uws-peer-socket.ts). Nothing above this
 * interface asks which engine it has; the WebSocket contract tests run against both.
 *
 * Writes are fire-and-forget and never throw on a closed socket: they are dropped, as ws
 * drops them. `bufferedAmount` is what barcast's outbox governs backpressure by.
 */
export interface PeerSocket {
  /** Open: writes go out. False from the moment a close is begun or seen. */
  readonly isOpen: boolean;
  /** Bytes written and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** A text message (a reply, a status): framed for this socket. */
  sendText(text: string): void;
  /** A topic update framed once for every socket (prepared-frame.ts). */
  sendFrame(frame: PreparedFrame): void;
  /** Holds this socket's writes until `uncork`, so the frames of one tick leave in one write. */
  cork(): void;
  uncork(): void;
  /**
   * A protocol ping carrying `payload` (a few ASCII bytes); the peer's pong echoes it to
   * `PeerListener.pong`, as RFC 6455 requires of every client.
   */
  ping(payload: string): void;
  /** Begins the closing handshake with `code` and `reason`. */
  close(code: number, reason: string): void;
  /** Cuts the connection without a handshake (the peer sees 1006). */
  terminate(): void;
  /** Who hears what arrives; set once, right after the socket opens. */
  listen(listener: PeerListener): void;
  /**
   * Stops reading what the peer sends until `resume` (a publisher past the ingest's bound:
   * TCP then slows it down). ws's own; uWebSockets.js has none, where the bound's close applies.
   */
  pause?(): void;
  resume?(): void;
}

/** What a socket reports to its connection. */
export interface PeerListener {
  /** One whole message; `data` is valid during this call only. */
  received(data: RawData, isBinary: boolean): void;
  /** A pong, with the payload of the ping it answers (valid during this call only). */
  pong(payload: Uint8Array): void;
  /** A protocol error on the socket (ws reports them; the socket closes right after). */
  failed(error: Error): void;
  /** The socket has closed, for whatever reason; called once. */
  closed(): void;
}
