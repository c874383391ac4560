import WebSocket from 'ws';
import { DEFAULT_BACKOFF, reconnectDelay } from '../src/client/reconnect-with-backoff.js';
import { historicalBars } from '../src/domain/bar-path.js';
import { periodIndex, periodStartAt, type Resolution } from '../src/domain/resolution.js';
import { serveRequests } from './ipc.js';
import type { StormBack, StormClientReply, StormClientRequest, StormTopic, StormVerify } from './storm-ipc.js';

/**
 * Child entry of W10: clients that behave as barcast's typed client does after a drop. Each
 * holds one bars topic, keeps the final bars it received, and when its socket closes
 * reconnects after the client's own backoff (DEFAULT_BACKOFF, full jitter) and resubscribes
 * with `since` = its last final bar (or just before the first bar it saw), so the server
 * replays what closed while it was away. `verify` then checks every client's finals against
 * history: contiguous, each equal to the historical bar, none received twice with other values.
 */
interface Bar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

const counters = { attempts: 0, refused503: 0, otherFailures: 0, replayed: 0 };
let stopping = false;

class StormClient {
  private socket: WebSocket | undefined;
  readonly finals = new Map<number, Bar>();
  firstBarTime: number | undefined;
  lastFinal: number | undefined;
  conflicts = 0;
  /** Wall ms of the latest subscribe response; undefined while dropped. */
  backAt: number | undefined;
  /** Wall ms of the latest drop. */
  droppedAt: number | undefined;
  private attempt = 0;
  private onSubscribed: (() => void) | undefined;

  constructor(
    private readonly url: string,
    readonly topic: StormTopic,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve) => {
      this.onSubscribed = resolve;
      this.connect();
    });
  }

  close(): void {
    this.socket?.terminate();
  }

  private connect(): void {
    const socket = new WebSocket(this.url, { perMessageDeflate: false });
    this.socket = socket;
    socket.on('open', () => this.subscribe(socket));
    socket.on('message', (data: Buffer) => this.receive(data));
    socket.on('unexpected-response', (_request, response) => {
      if (response.statusCode === 503) counters.refused503 += 1;
      else counters.otherFailures += 1;
      socket.terminate();
    });
    socket.on('error', () => {
      counters.otherFailures += 1;
    });
    socket.on('close', () => this.dropped());
  }

  private subscribe(socket: WebSocket): void {
    const since = this.lastFinal ?? (this.firstBarTime === undefined ? undefined : this.firstBarTime - 1);
    const payload = { symbol: this.topic.symbol, params: { resolution: this.topic.resolution }, ...(since === undefined ? {} : { since }) };
    socket.send(JSON.stringify({ type: 'bars.subscribe', id: 1, payload }));
  }

  private receive(data: Buffer): void {
    const message = JSON.parse(data.toString()) as { type: string; final?: boolean; payload: Bar & { replayed?: number; status?: string } };
    if (message.type === 'bars.subscribe.response') {
      if (message.payload.status !== 'ok') return;
      counters.replayed += message.payload.replayed ?? 0;
      this.attempt = 0;
      this.backAt = Date.now();
      this.onSubscribed?.();
      this.onSubscribed = undefined;
      return;
    }
    if (message.type !== 'bars.update') return;
    const bar = message.payload;
    this.firstBarTime ??= bar.time;
    if (message.final !== true) return;
    const held = this.finals.get(bar.time);
    if (held !== undefined && !sameBar(held, bar)) this.conflicts += 1;
    this.finals.set(bar.time, pick(bar));
    if (this.lastFinal === undefined || bar.time > this.lastFinal) this.lastFinal = bar.time;
  }

  private dropped(): void {
    this.backAt = undefined;
    this.droppedAt = Date.now();
    if (stopping) return;
    this.attempt += 1;
    counters.attempts += 1;
    setTimeout(() => this.connect(), reconnectDelay(this.attempt, DEFAULT_BACKOFF, Math.random));
  }
}

function pick(bar: Bar): Bar {
  return { time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
}

function sameBar(a: Bar, b: Bar): boolean {
  return a.time === b.time && a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

let clients: StormClient[] = [];

async function open(request: Extract<StormClientRequest, { type: 'open' }>): Promise<number> {
  const batch = 200;
  for (let start = 0; start < request.count; start += batch) {
    const opened = Array.from({ length: Math.min(batch, request.count - start) }, (_, index) => {
      const global = request.offset + start + index;
      return new StormClient(request.urls[global % request.urls.length]!, request.topics[global % request.topics.length]!);
    });
    await Promise.all(opened.map((client) => client.open()));
    clients.push(...opened);
  }
  return clients.length;
}

async function back(since: number, timeoutMs: number): Promise<StormBack> {
  const deadline = Date.now() + timeoutMs;
  // Back: dropped since the restart began, and subscribed again after that drop.
  const isBack = (client: StormClient): boolean => client.droppedAt !== undefined && client.droppedAt >= since && client.backAt !== undefined;
  while (!clients.every(isBack) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const backAt = clients.flatMap((client) => (isBack(client) ? [client.backAt!] : []));
  return { type: 'back', backAt, missing: clients.length - backAt.length, ...counters };
}

/** Each client's finals against history, from the first bar it saw to its last final; and it must hold every bar closed before `until`. */
async function verify(seed: number, until: number, timeoutMs: number): Promise<StormVerify> {
  const caughtUp = (): boolean => clients.every((client) => client.lastFinal !== undefined && client.lastFinal >= lastClosedBefore(client.topic.resolution as Resolution));
  const deadline = Date.now() + timeoutMs;
  while (!caughtUp() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const history = new Map<string, Map<number, Bar>>();
  const historical = (topic: StormTopic, time: number): Bar | undefined => {
    const key = `${topic.symbol}:${topic.resolution}`;
    let bars = history.get(key);
    if (bars === undefined) {
      bars = new Map();
      history.set(key, bars);
    }
    if (!bars.has(time)) {
      const resolution = topic.resolution as Resolution;
      const index = periodIndex(resolution, time);
      const [bar] = historicalBars({ seed, symbol: topic.symbol, resolution }, index, index + 1);
      if (bar !== undefined) bars.set(time, pick(bar));
    }
    return bars.get(time);
  };
  function lastClosedBefore(resolution: Resolution): number {
    return periodStartAt(resolution, periodIndex(resolution, until) - 1);
  }
  let exact = 0;
  let inexact = 0;
  let checked = 0;
  let firstProblem: string | undefined;
  for (const [index, client] of clients.entries()) {
    const problem = ((): string | undefined => {
      if (client.conflicts > 0) return `${client.conflicts} finals received twice with other values`;
      if (client.firstBarTime === undefined || client.lastFinal === undefined) return 'no final bar at all';
      if (client.lastFinal < lastClosedBefore(client.topic.resolution as Resolution)) return `behind: last final ${new Date(client.lastFinal).toISOString()}`;
      // One-minute bars only (the storm's topics): one period is 60,000 ms.
      for (let time = client.firstBarTime; time <= client.lastFinal; time += 60_000) {
        checked += 1;
        const held = client.finals.get(time);
        if (held === undefined) return `missing the bar of ${new Date(time).toISOString()}`;
        const expected = historical(client.topic, time);
        if (expected === undefined || !sameBar(held, expected)) return `bar of ${new Date(time).toISOString()} differs from history`;
      }
      return undefined;
    })();
    if (problem === undefined) exact += 1;
    else {
      inexact += 1;
      firstProblem ??= `client ${index} (${client.topic.symbol}): ${problem}`;
    }
  }
  return { type: 'verify', exact, inexact, bars: checked, ...(firstProblem === undefined ? {} : { firstProblem }) };
}

serveRequests<StormClientRequest, StormClientReply>(async (request) => {
  switch (request.type) {
    case 'open':
      return { type: 'open', opened: await open(request) };
    case 'back':
      return back(request.since, request.timeoutMs);
    case 'verify':
      return verify(request.seed, request.until, request.timeoutMs);
    case 'stop':
      stopping = true;
      for (const client of clients) client.close();
      clients = [];
      return { type: 'stop' };
  }
});
