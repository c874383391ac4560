import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { isResponseTo, isUpdateOf, type RequestId, type ResponseMessage, type ServerMessage, type UpdateMessage } from './server-messages.js';

export interface WaitOptions {
  /** Only messages from this index of `messages` on. */
  readonly from?: number;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A real `ws` client that records every message, so a test awaits the one it wants without
 * racing the socket. Every wait is bounded: a missing message fails the test with what was
 * received instead, never hangs it.
 */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();
  /** Per topic, the index after the last update `nextUpdate` returned. */
  private readonly updateCursors = new Map<string, number>();
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.messages.push(JSON.parse(String(data)) as ServerMessage);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters) wake();
      });
    });
  }

  /** Opens a client on `url` (a TestApp's `wsUrl`); rejects with the HTTP status if the upgrade is refused. */
  static connect(url: string, options: WebSocket.ClientOptions & { readonly protocols?: string | string[] } = {}): Promise<TestClient> {
    const { protocols, ...clientOptions } = options;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, clientOptions);
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        response.resume();
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`));
        socket.terminate();
      });
    });
  }

  /** Sends a frame as is: an object as JSON, a string verbatim (for malformed input). */
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends `{ type, id, payload }` with a fresh id and returns the id, for `response(id)`. */
  request(type: string, payload?: unknown): RequestId {
    const id = this.nextId;
    this.nextId += 1;
    this.send({ type, id, ...(payload === undefined ? {} : { payload }) });
    return id;
  }

  /** `<kind>.subscribe` with `payload`; returns the request's id. */
  subscribe(kind: string, payload: unknown): RequestId {
    return this.request(`${kind}.subscribe`, payload);
  }

  unsubscribe(kind: string, payload: unknown): RequestId {
    return this.request(`${kind}.unsubscribe`, payload);
  }

  subscribeBars(symbol: string, resolution = '1'): RequestId {
    return this.subscribe('bars', { symbol, params: { resolution } });
  }

  unsubscribeBars(symbol: string, resolution = '1'): RequestId {
    return this.unsubscribe('bars', { symbol, params: { resolution } });
  }

  /** The response (or error frame) answering request `id`, whenever it arrived. */
  response(id: RequestId, options: Pick<WaitOptions, 'timeoutMs'> = {}): Promise<ResponseMessage> {
    return this.waitFor(isResponseTo(id), options) as Promise<ResponseMessage>;
  }

  /**
   * The next update of `topic`: the first one after the last this method returned for that
   * topic (the first ever received, on the first call). Successive calls walk the topic's
   * updates in order, none skipped.
   */
  async nextUpdate<T = Record<string, unknown>>(topic: string, options: Pick<WaitOptions, 'timeoutMs'> = {}): Promise<UpdateMessage<T>> {
    const from = this.updateCursors.get(topic) ?? 0;
    const update = await this.waitFor(isUpdateOf(topic), { ...options, from });
    this.updateCursors.set(topic, this.messages.indexOf(update, from) + 1);
    return update as UpdateMessage<T>;
  }

  /** The first message (from index `from` on) that matches. */
  waitFor(match: (message: ServerMessage) => boolean, { from = 0, timeoutMs = DEFAULT_TIMEOUT_MS }: WaitOptions = {}): Promise<ServerMessage> {
    return this.waitUntil(() => this.messages.slice(from).find(match), timeoutMs, 'a matching message');
  }

  /** `count` matching messages received from index `from` on. */
  waitForCount(match: (message: ServerMessage) => boolean, count: number, { from = 0, timeoutMs = DEFAULT_TIMEOUT_MS }: WaitOptions = {}): Promise<ServerMessage[]> {
    return this.waitUntil(
      () => {
        const found = this.messages.slice(from).filter(match);
        return found.length >= count ? found.slice(0, count) : undefined;
      },
      timeoutMs,
      `${count} matching messages`,
    );
  }

  /** Stops reading from the TCP socket, so the server's send buffer backs up (a slow consumer). */
  pauseReading(): void {
    this.rawSocket().pause();
  }

  resumeReading(): void {
    this.rawSocket().resume();
  }

  /** Closes the socket (if open) and resolves once it is closed. */
  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close();
    return this.closed;
  }

  private rawSocket(): Socket {
    // ws keeps the net.Socket private; a slow consumer is simulated by not reading it.
    return (this.socket as unknown as { _socket: Socket })._socket;
  }

  private waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last received: ${JSON.stringify(this.messages.slice(-10)).slice(0, 2_000)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}
