import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ClientAddresses, TrustedProxies } from './client-address.js';
import { HandshakeQueue, type HandshakeLimits, type HandshakeRefusal } from './handshake-queue.js';
import { readProxyHeader } from './proxy-header.js';

/** How long each stage of a connection may take, and how many may be open at once. */
export interface ConnectionDeadlines extends HandshakeLimits {
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
}

/** Where connections come from: the proxies trusted to say, and whether they speak the PROXY protocol. */
export interface ConnectionEdge {
  /** Resolves each connection's client address (proxy.trustedProxies); none trusted by default. */
  readonly addresses?: ClientAddresses;
  /** Read a PROXY protocol header (v1 or v2) at the start of a connection from a trusted proxy (proxy.protocol). */
  readonly proxyProtocol?: boolean;
  /** Told of each connection the handshake queue refused, with its client address. */
  readonly refused?: (address: string, reason: HandshakeRefusal) => void;
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

/** A socket's error before the HTTP server has it (a reset while it waits): it is closed, nothing more. */
function destroyOnError(this: Socket): void {
  this.destroy();
}

/**
 * Caps what the HTTP server cannot, in front of it. Every TCP connection counts toward
 * `maxSockets` (Node drops the ones past it at once). A connection from a trusted proxy that
 * speaks the PROXY protocol first has its header read (`proxy-header.ts`), so the client's
 * address is known before anything else. Then it joins its address's line in the handshake
 * queue (`handshake-queue.ts`): it is handed to the HTTP server at once while the address has
 * fewer than `maxHandshakesPerIp` requests in progress, else it waits, unread, for one to
 * finish (a burst behind one NAT gets in; a slowloris still meets the header deadline and the
 * queue's). A trusted proxy's own address is not queued: it carries many clients, and it
 * reads their requests before it forwards them. An upgrade that has not become a WebSocket
 * within `upgradeTimeoutMs` (an access check that hangs) is cut. ws clears the socket timeout
 * set here when it takes the socket over, and `upgradeCompleted` drops its listener. No
 * closure or timer is kept per socket once its request is in: 10,000 WebSockets pay nothing
 * for their handshake's guard.
 *
 * To hold a socket before the HTTP server reads it, its own 'connection' listener (which
 * starts the parser) is taken off the server and called when the socket's turn comes.
 */
export function guardConnections(server: Server, deadlines: ConnectionDeadlines, edge: ConnectionEdge = {}): ConnectionGuard {
  server.maxConnections = deadlines.maxSockets;
  const addresses = edge.addresses ?? new ClientAddresses(new TrustedProxies([]));
  const startHttp = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const begin = (socket: Socket): void => {
    socket.off('error', destroyOnError);
    for (const listener of startHttp) listener.call(server, socket);
  };
  const queue = new HandshakeQueue(deadlines, { begin, refused: edge.refused ?? (() => undefined) });
  const admit = (socket: Socket): void => {
    if (socket.destroyed) return;
    const address = addresses.ofSocket(socket);
    if (addresses.trusted.isTrusted(address)) begin(socket);
    else queue.admit(socket, address);
  };

  /** Sockets whose PROXY header is being read: like the waiting ones, unknown to the HTTP server. */
  const readingHeader = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    socket.on('error', destroyOnError);
    if (!edge.proxyProtocol || !addresses.trusted.isTrusted(addresses.ofSocket(socket))) {
      admit(socket);
      return;
    }
    readingHeader.add(socket);
    socket.once('close', () => readingHeader.delete(socket));
    readProxyHeader(socket, deadlines.headersTimeoutMs, (source) => {
      readingHeader.delete(socket);
      if (source !== undefined) addresses.rememberProxied(socket, source);
      admit(socket);
    });
  });
  const settle = (socket: Socket | Duplex): void => queue.settle(socket as Socket);
  server.on('request', (request: { socket: Socket }) => settle(request.socket));
  // First in line: the gateway's listener completes a handshake synchronously, and ws must
  // clear this timeout after it is set, not before.
  server.prependListener('upgrade', (_request: unknown, socket: Duplex) => {
    settle(socket);
    const net = socket as Socket;
    net.setTimeout(deadlines.upgradeTimeoutMs);
    net.once('timeout', destroyOnTimeout);
  });
  return {
    queue,
    close() {
      for (const socket of readingHeader) socket.destroy();
      queue.close();
    },
  };
}

/** What guardConnections leaves to stop: the sockets it holds that the HTTP server does not know. */
export interface ConnectionGuard {
  readonly queue: HandshakeQueue;
  /** Destroys them; call when the server closes, or `server.close()` waits for each to time out. */
  close(): void;
}
