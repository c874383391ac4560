import type { Socket } from 'node:net';
import WebSocket from 'ws';

/** A parsed server message; tests narrow it with `type` and `payload`. */
export interface ServerMessage {
  readonly type: string;
  readonly topic?: string;
  readonly ts?: number;
  readonly seq?: number;
  readonly epoch?: string;
  readonly final?: boolean;
  readonly replay?: boolean;
  readonly id?: string | number;
  readonly payload?: Record<string, unknown>;
}

/**
 * A real `ws` client that records every message, so a test can await the next one that
 * matches, without racing the socket. Waits are bounded: a missing message fails the test
 * with the messages seen so far, never hangs it.
 */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

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

  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  subscribe(symbol: string, resolution = '1'): void {
    this.send({ type: 'bars.subscribe', payload: { symbol, params: { resolution } } });
  }

  unsubscribe(symbol: string, resolution = '1'): void {
    this.send({ type: 'bars.unsubscribe', payload: { symbol, params: { resolution } } });
  }

  /** Resolves with the first message (from index `from` on) that matches; rejects after `timeoutMs`. */
  waitFor(match: (message: ServerMessage) => boolean, { from = 0, timeoutMs = 5_000 } = {}): Promise<ServerMessage> {
    return this.waitUntil(() => this.messages.slice(from).find(match), timeoutMs, 'a matching message');
  }

  /** Resolves with `count` matching messages received from index `from` on. */
  waitForCount(match: (message: ServerMessage) => boolean, count: number, { from = 0, timeoutMs = 5_000 } = {}): Promise<ServerMessage[]> {
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

  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close();
    return this.closed;
  }

  private rawSocket(): Socket {
    // ws keeps the net.Socket private; tests need it to simulate a peer that stops reading.
    return (this.socket as unknown as { _socket: Socket })._socket;
  }

  private waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = find();
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.messages.slice(-10)).slice(0, 2_000)}`));
      }, timeoutMs);
      const wake = (): void => void check();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
      check();
    });
  }
}

export const isType = (type: string) => (message: ServerMessage) => message.type === type;

/** An update of `topic`, of any kind (`bars.update` for `bars:...` topics). */
export const isUpdateOf = (topic: string) => (message: ServerMessage) => message.type.endsWith('.update') && message.topic === topic;

/** Replies to the client's own messages (responses, errors, pongs): not pushes (`*.update`, or `*.status` when a topic goes stale or live). */
export const isReply = (message: ServerMessage) => !message.type.endsWith('.update') && !message.type.endsWith('.status');

export const errorCodeOf = (message: ServerMessage | undefined): unknown => message?.payload?.['code'];
