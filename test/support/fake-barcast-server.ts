import { map, type Observable, type SchedulerLike, timer } from 'rxjs';
import type { Bar } from '../../src/domain/bar.js';
import type { HistoryRequest } from '../../src/client/rest-history.js';

/**
 * A barcast server in virtual time, for marble tests of the client: it speaks the WebSocket
 * protocol (ids, `since`/`recovered`, `final`, `replay`) over fake sockets that the client
 * opens through `WebSocketCtor`, and serves the same series over a fake REST history.
 *
 * The market: 1-minute bars; bar `i` starts at `i * 60 000` of virtual time. The server
 * ticks every 20 s (forming updates at +0, +20 s, +40 s) and sends each bar's final update at
 * its last millisecond. `finalBar(i)` is the history.
 */
export const PERIOD_MS = 60_000;
export const TICK_MS = 20_000;

export function finalBar(index: number): Bar {
  const open = 100 + index;
  return { time: index * PERIOD_MS, open, high: open + 3, low: open - 2, close: open + 1, volume: 1_000 + index };
}

/** What bar `index` looks like `elapsed` ms into its period: converging to its final values. */
export function formingBar(index: number, elapsed: number): Bar {
  const last = finalBar(index);
  const share = elapsed / PERIOD_MS;
  return { ...last, high: last.open + 3 * share, low: last.open - 2 * share, close: last.open + share, volume: Math.round(last.volume * share) };
}

/**
 * How the server answers a `since`: replay it, refuse (`recovered: false`), or not know it at
 * all: an old server, whose updates carry no `seq`, `epoch` or `final` either.
 */
export type ResumeMode = 'replay' | 'cannot-recover' | 'old-server';

interface Listener {
  readonly socket: FakeWebSocket;
  readonly topic: string;
}

export class FakeBarcastServer {
  /** Every frame clients sent, parsed, with the virtual time it arrived. */
  readonly received: { readonly at: number; readonly message: Record<string, unknown> }[] = [];
  readonly sockets: FakeWebSocket[] = [];
  /** Whether new connections are accepted (false: the network is down). */
  reachable = true;
  resumeMode: ResumeMode = 'replay';
  /** Whether ok responses echo `id` (an old server does not). */
  echoIds = true;
  /** Bars (by index) whose closing update this server loses, as a buggy or lossy one would. */
  readonly losesFinalOf = new Set<number>();
  /** The next subscribe is answered with an `error` frame of this code. */
  refuseNext: string | undefined;
  private readonly listeners = new Set<Listener>();
  private seq = 0;

  /** Ticks from virtual time 0 until `untilMs`, so the test scheduler's flush ends. */
  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly untilMs: number,
  ) {
    this.scheduleTick(0);
  }

  /** The class to pass as `WebSocketCtor`. */
  readonly WebSocketCtor = ((server: FakeBarcastServer) =>
    class extends FakeWebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(server, url, protocols);
      }
    })(this);

  get now(): number {
    return this.scheduler.now();
  }

  /** Cuts every open connection without a close frame (code 1006). */
  dropAll(): void {
    for (const socket of this.sockets) socket.serverDrop();
  }

  /** `GET /api/v1/bars` in virtual time: closed bars starting in [from, to), 5 ms later. */
  history(request: HistoryRequest): Observable<Bar[]> {
    return timer(5, this.scheduler).pipe(map(() => this.closedBars(request.from, request.to)));
  }

  closedBars(from: number, to: number): Bar[] {
    const bars: Bar[] = [];
    const end = Math.min(Math.ceil(to / PERIOD_MS), Math.floor(this.now / PERIOD_MS));
    for (let index = Math.ceil(from / PERIOD_MS) || 0; index < end; index += 1) bars.push(finalBar(index));
    return bars;
  }

  opened(socket: FakeWebSocket): void {
    this.sockets.push(socket);
    this.scheduler.schedule(() => (this.reachable ? socket.serverOpen() : socket.serverRefuse()), 1);
  }

  closed(socket: FakeWebSocket): void {
    for (const listener of this.listeners) if (listener.socket === socket) this.listeners.delete(listener);
  }

  receive(socket: FakeWebSocket, message: Record<string, unknown>): void {
    this.received.push({ at: this.now, message });
    const payload = (message['payload'] ?? {}) as Record<string, unknown>;
    const id = this.echoIds && message['id'] !== undefined ? { id: message['id'] } : {};
    const topic = `bars:${String(payload['symbol'])}:1`;
    if (message['type'] === 'bars.unsubscribe') {
      for (const listener of this.listeners) if (listener.socket === socket && listener.topic === topic) this.listeners.delete(listener);
      socket.push({ type: 'bars.unsubscribe.response', ...id, payload: { status: 'ok', topic } });
      return;
    }
    if (message['type'] === 'quotes.subscribe' || message['type'] === 'quotes.unsubscribe') {
      this.answerQuotes(socket, String(message['type']), id, payload);
      return;
    }
    if (message['type'] !== 'bars.subscribe') return;
    if (this.refuseNext) {
      socket.push({ type: 'error', ...id, payload: { status: 'error', code: this.refuseNext, message: 'refused' } });
      this.refuseNext = undefined;
      return;
    }
    if (payload['symbol'] === 'NOPE') {
      socket.push({ type: 'bars.subscribe.response', ...id, payload: { status: 'error', code: 'UNKNOWN_SYMBOL', message: 'Unknown symbol NOPE' } });
      return;
    }
    const since = payload['since'];
    if (since !== undefined && !(Number.isSafeInteger(since) && (since as number) >= 0)) {
      socket.push({ type: 'bars.subscribe.response', ...id, payload: { status: 'error', code: 'INVALID_PAYLOAD', message: 'payload.since must be the time (epoch ms) of the last final bar you hold' } });
      return;
    }
    const current = Math.floor(this.now / PERIOD_MS);
    if (typeof since === 'number' && this.resumeMode === 'replay') {
      const replay = this.closedBars(since + 1, this.now);
      socket.push({ type: 'bars.subscribe.response', ...id, payload: { status: 'ok', topic, recovered: true, replayed: replay.length } });
      for (const bar of replay) socket.push({ type: 'bars.update', topic, ts: this.now, replay: true, final: true, payload: bar });
    } else {
      const recovered = typeof since === 'number' && this.resumeMode === 'cannot-recover' ? { recovered: false } : {};
      socket.push({ type: 'bars.subscribe.response', ...id, payload: { status: 'ok', topic, ...recovered } });
    }
    socket.push(this.liveUpdate(topic, this.now, false, formingBar(current, this.now - current * PERIOD_MS)));
    this.listeners.add({ socket, topic });
  }

  /** One symbol per request, as the client sends them: a multi-topic response, then a quote. */
  private answerQuotes(socket: FakeWebSocket, type: string, id: Record<string, unknown>, payload: Record<string, unknown>): void {
    const symbol = String((payload['symbols'] as unknown[] | undefined)?.[0]);
    const topic = `quotes:${symbol}`;
    const known = symbol !== 'NOPE';
    const result = known ? { status: 'ok', symbol, topic } : { status: 'error', symbol, topic, code: 'UNKNOWN_SYMBOL', message: `Unknown symbol ${symbol}` };
    socket.push({ type: `${type}.response`, ...id, payload: { status: 'ok', topics: [result], message: 'done' } });
    if (type !== 'quotes.subscribe') return;
    const v = known ? { lp: 100, ask: 100.02, bid: 99.98, spread: 0.04, open_price: 99, high_price: 101, low_price: 98, prev_close_price: 99, volume: 5, ch: 1, chp: 1.01 } : { error: `Unknown symbol ${symbol}` };
    socket.push({ type: 'quotes.update', topic, ts: this.now, seq: 1, epoch: 'e1', payload: { s: known ? 'ok' : 'error', n: symbol, v } });
  }

  /** One numbering for the single topic the market has; an old server numbers nothing. */
  private liveUpdate(topic: string, ts: number, final: boolean, bar: Bar): Record<string, unknown> {
    if (this.resumeMode === 'old-server') return { type: 'bars.update', topic, ts, payload: bar };
    this.seq += 1;
    return { type: 'bars.update', topic, ts, seq: this.seq, epoch: 'e1', final, payload: bar };
  }

  private scheduleTick(at: number): void {
    if (at > this.untilMs) return;
    this.scheduler.schedule(() => {
      const index = Math.floor(at / PERIOD_MS);
      const elapsed = at - index * PERIOD_MS;
      const closing = elapsed === PERIOD_MS - 1;
      const bar = closing ? finalBar(index) : formingBar(index, elapsed);
      const lost = closing && this.losesFinalOf.has(index);
      if (!lost) for (const { socket, topic } of this.listeners) socket.push(this.liveUpdate(topic, at, closing, bar));
      this.scheduleTick(closing ? at + 1 : elapsed + TICK_MS >= PERIOD_MS ? index * PERIOD_MS + PERIOD_MS - 1 : at + TICK_MS);
    }, at - this.now);
  }
}

/** The browser's WebSocket as rxjs' webSocket uses it, driven by a FakeBarcastServer. */
export class FakeWebSocket {
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { wasClean: boolean; code: number }) => void) | null = null;
  readonly protocols: readonly string[];

  constructor(
    private readonly server: FakeBarcastServer,
    readonly url: string,
    protocols?: string | string[],
  ) {
    this.protocols = protocols === undefined ? [] : [protocols].flat();
    server.opened(this);
  }

  send(data: string): void {
    if (this.readyState === 1) this.server.receive(this, JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    if (this.readyState > 1) return;
    this.readyState = 3;
    this.server.closed(this);
    this.onclose?.({ wasClean: true, code: 1000 });
  }

  serverOpen(): void {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.onopen?.({});
  }

  serverRefuse(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ wasClean: false, code: 1006 });
  }

  serverDrop(): void {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.server.closed(this);
    this.onclose?.({ wasClean: false, code: 1006 });
  }

  push(message: Record<string, unknown>): void {
    if (this.readyState === 1) this.onmessage?.({ data: JSON.stringify(message) });
  }
}
