import { WebSocket, type RawData } from 'ws';
import type { PeerListener, PeerSocket } from './peer-socket.js';
import { corkSocket, uncorkSocket, writePreparedFrame, type PreparedFrame } from './prepared-frame.js';

/**
 * The ws engine's socket: ws's own WebSocket class, extended (ws-engine.ts hands the class to
 * ws's server, so ws constructs these), so a connection costs no adapter object: the
 * PeerSocket methods live on the prototype, and the listener is one field in place of the
 * WeakMap entry a connection used to be found by. `close`, `ping`, `terminate` and
 * `bufferedAmount` are ws's own.
 */
export class WsPeerSocket extends WebSocket implements PeerSocket {
  listener: PeerListener | undefined;

  get isOpen(): boolean {
    return this.readyState === WebSocket.OPEN;
  }

  sendText(text: string): void {
    this.send(text);
  }

  sendFrame(frame: PreparedFrame): void {
    writePreparedFrame(this, frame);
  }

  cork(): void {
    corkSocket(this);
  }

  uncork(): void {
    uncorkSocket(this);
  }

  listen(listener: PeerListener): void {
    this.listener = listener;
    this.on('message', onMessage);
    this.on('pong', onPong);
    this.on('error', onError);
    // `on`, not `once`: close fires once anyway, and `once` would wrap the listener per socket.
    this.on('close', onClose);
  }
}

// Socket listeners are shared functions (ws calls them with the socket, always a WsPeerSocket
// here, as `this`), not closures per socket.
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as WsPeerSocket).listener?.received(data, isBinary);
}

function onPong(this: WebSocket, payload: Buffer): void {
  (this as WsPeerSocket).listener?.pong(payload);
}

function onError(this: WebSocket, error: Error): void {
  (this as WsPeerSocket).listener?.failed(error);
}

function onClose(this: WebSocket): void {
  const peer = this as WsPeerSocket;
  const listener = peer.listener;
  peer.listener = undefined;
  listener?.closed();
}
