import * as ws from 'ws';
import type { WebSocket } from 'ws';

/**
 * A text message serialized, UTF-8 encoded and framed once, then written as the same Buffer
 * to every socket that wants it. `ws.send(string)` would measure, encode and frame the string
 * again for each socket; socket.io pre-frames broadcasts the same way when compression is off.
 *
 * This leans on two ws internals (`WebSocket.Sender.frame` is public, the per-socket `_sender`
 * and `_socket` are not), so all of it lives in this one file, guarded: when an internal is
 * missing or the sender is busy (compressing, reading a Blob), it falls back to `send(text)`,
 * which keeps frames in order. test/transport/ws/prepared-frame.test.ts pins the behaviour.
 */
export interface PreparedFrame {
  readonly text: string;
  /** The complete unmasked WebSocket frame (FIN, text opcode, length, payload). */
  readonly framed: Buffer;
  /** `[framed]`, made once: ws's sendFrame takes a list, and one per write would be garbage. */
  readonly list: readonly Buffer[];
  /** The UTF-8 payload alone, encoded once: uWebSockets.js frames it itself (uws-peer-socket.ts). */
  readonly payload: Buffer;
}

interface SenderStatic {
  frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
}

interface SocketInternals {
  readonly _sender?: { readonly _state?: number; sendFrame?(list: readonly Buffer[]): void };
  readonly _socket?: { cork?(): void; uncork?(): void } | null;
}

const TEXT_OPCODE = 1;
/** ws's Sender state when nothing is queued ahead (not deflating, not reading a Blob). */
const SENDER_IDLE = 0;
// ws exports Sender at run time; @types/ws does not declare it.
const { Sender } = ws as unknown as { Sender: SenderStatic };

export function prepareTextFrame(text: string): PreparedFrame {
  // Unmasked, so the payload Buffer is framed as it is, not modified.
  const payload = Buffer.from(text);
  const parts = Sender.frame(payload, { fin: true, opcode: TEXT_OPCODE, mask: false, readOnly: false, rsv1: false });
  const framed = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return { text, framed, list: [framed], payload };
}

/** Writes `frame` to an open socket: the prepared bytes when ws is idle, else a normal send. */
export function writePreparedFrame(socket: Pick<WebSocket, 'send'>, frame: PreparedFrame): void {
  const sender = (socket as unknown as SocketInternals)._sender;
  if (sender?._state === SENDER_IDLE && sender.sendFrame) sender.sendFrame(frame.list);
  else socket.send(frame.text);
}

/** Holds a socket's writes in user space until `uncorkSocket`, so several frames leave in one write. */
export function corkSocket(socket: WebSocket): void {
  (socket as unknown as SocketInternals)._socket?.cork?.();
}

export function uncorkSocket(socket: WebSocket): void {
  (socket as unknown as SocketInternals)._socket?.uncork?.();
}
