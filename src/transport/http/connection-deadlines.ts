import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** How long each stage of a connection may take, and how many may be open at once. */
export interface ConnectionDeadlines {
  /** A request's headers must be complete within this (an idle or trickling client gets 408). */
  readonly headersTimeoutMs: number;
  /** A whole request must have arrived within this. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** From a complete upgrade request to an open WebSocket (a pending handshake is cut). */
  readonly upgradeTimeoutMs: number;
  /** Every TCP connection at once, upgraded or not (server.maxConnections). */
  readonly maxSockets: number;
  /** Connections one IP may hold that have not yet sent a complete request. */
  readonly maxHandshakesPerIp: number;
}

/**
 * The options of `http.createServer` that enforce the header and request deadlines. Node
 * checks them on a sweep (`connectionsCheckingInterval`, 30 s by default, which would let a
 * connection outlive its deadline by that much), so the sweep runs at a tenth of the
 * shortest deadline.
 */
export function deadlineServerOptions(deadlines: ConnectionDeadlines): ServerOptions {
  return {
    headersTimeout: deadlines.headersTimeoutMs,
    requestTimeout: deadlines.requestTimeoutMs,
    keepAliveTimeout: deadlines.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.floor(Math.min(deadlines.headersTimeoutMs, deadlines.requestTimeoutMs) / 10)),
  };
}

/** Cut a socket whose upgrade did not become a WebSocket in time (one function for all sockets). */
function destroyOnTimeout(this: Socket): void {
  this.destroy();
}

/**
 * Call once an upgrade has become a WebSocket: ws clears the socket's timeout itself, and this
 * drops the listener guardConnections left, and the cleared timer, so an open WebSocket keeps
 * nothing of its handshake.
 */
export function upgradeCompleted(socket: Duplex): void {
  socket.removeListener('timeout', destroyOnTimeout);
  releaseClearedTimeout(socket);
}

/**
 * `socket.setTimeout(0)` clears a net.Socket's idle timer but keeps the Timeout object (and
 * its bound callback) in the socket's internal `Symbol(timeout)` slot, about 170 bytes per
 * open WebSocket for as long as it lives. Node's own state before any timeout is set is
 * `null` there, which every reader of the slot handles, so a cleared timer (`_idleTimeout`
 * -1) is put back to that. An internal: if Node renames it, nothing happens.
 */
function releaseClearedTimeout(socket: Duplex): void {
  const slot = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'timeout');
  if (slot === undefined) return;
  const timer = (socket as unknown as Record<symbol, { _idleTimeout?: number } | null>)[slot];
  if (timer?._idleTimeout === -1) (socket as unknown as Record<symbol, null>)[slot] = null;
}

/**
 * Caps what the HTTP server cannot: every TCP connection counts toward `maxSockets`
 * (Node drops the ones past it at once), a connection that has not yet sent a complete
 * request counts toward its IP's `maxHandshakesPerIp` (past it, dropped at once: one host
 * cannot hold the server's sockets with half-sent requests), and an upgrade that has not
 * become a WebSocket within `upgradeTimeoutMs` (an access check that hangs) is cut. ws
 * clears the socket timeout set here when it takes the socket over, and `upgradeCompleted`
 * drops its listener. No closure or timer is kept per socket once its request is in: 10,000
 * WebSockets pay nothing for their handshake's guard.
 */
export function guardConnections(server: Server, deadlines: ConnectionDeadlines): void {
  server.maxConnections = deadlines.maxSockets;
  const handshakes = new Map<string, number>();
  /** Sockets that have not yet sent a complete request, counted in `handshakes`. */
  const handshaking = new WeakSet<Socket | Duplex>();
  const settle = (socket: Socket | Duplex): void => {
    if (!handshaking.delete(socket)) return;
    socket.removeListener('close', onClose);
    const address = (socket as Socket).remoteAddress ?? '';
    const left = (handshakes.get(address) ?? 1) - 1;
    if (left > 0) handshakes.set(address, left);
    else handshakes.delete(address);
  };
  function onClose(this: Socket): void {
    settle(this);
  }

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const open = handshakes.get(address) ?? 0;
    if (open >= deadlines.maxHandshakesPerIp) {
      socket.destroy();
      return;
    }
    handshakes.set(address, open + 1);
    handshaking.add(socket);
    socket.on('close', onClose);
  });
  server.on('request', (request: { socket: Socket }) => settle(request.socket));
  // First in line: the gateway's listener completes a handshake synchronously, and ws must
  // clear this timeout after it is set, not before.
  server.prependListener('upgrade', (_request: unknown, socket: Duplex) => {
    settle(socket);
    const net = socket as Socket;
    net.setTimeout(deadlines.upgradeTimeoutMs);
    net.once('timeout', destroyOnTimeout);
  });
}
