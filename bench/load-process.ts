import WebSocket from 'ws';
import type { LoadConnect, LoadReply, LoadRequest, Protocol, TopicRef } from './ipc.js';
import { serveRequests } from './ipc.js';

/**
 * Child entry: the load generator. Opens real ws connections, subscribes, and counts update
 * frames without decoding them; one update in `sampleEvery` has its `ts` read (digits after
 * `"ts":`, no JSON.parse) for latency. socket.io is spoken at the wire level (Engine.IO v4
 * packets over a plain ws socket), so every server costs the load side the same per frame.
 */
const TS_MARK = Buffer.from('"ts":');
const RESPONSE_MARK = Buffer.from('.response"');
const CONNECT_BATCH = 200;

const counters = { updates: 0, sampleTick: 0, since: Date.now() };
let sampleEvery = 1;
let latencies: number[] = [];
let clients: LoadClient[] = [];

class LoadClient {
  responses = 0;
  private onResponse: (() => void) | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly protocol: Protocol,
  ) {
    socket.on('message', (data: Buffer) => this.receive(data));
  }

  static open(url: string, protocol: Protocol): Promise<LoadClient> {
    const target = protocol === 'socketio' ? `${url}/socket.io/?EIO=4&transport=websocket` : `${url}/api/v1/ws`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(target, { perMessageDeflate: false });
      const client = new LoadClient(socket, protocol);
      socket.once('error', reject);
      if (protocol === 'socketio') {
        // Engine.IO sends its open packet; the namespace connect ("40") answer means ready.
        client.onResponse = () => {
          client.onResponse = undefined;
          resolve(client);
        };
      } else {
        socket.once('open', () => resolve(client));
      }
    });
  }

  send(action: 'subscribe' | 'unsubscribe', topic: TopicRef): void {
    if (this.protocol === 'socketio') {
      this.socket.send(`42${JSON.stringify([action, topic])}`);
    } else {
      this.socket.send(JSON.stringify({ type: `bars.${action}`, payload: { symbol: topic.symbol, params: { resolution: topic.resolution } } }));
    }
  }

  /** Resolves once `count` more responses have arrived. */
  awaitResponses(count: number): Promise<void> {
    const target = this.responses + count;
    if (this.responses >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.onResponse = () => {
        if (this.responses < target) return;
        this.onResponse = undefined;
        resolve();
      };
    });
  }

  close(): void {
    this.socket.terminate();
  }

  private receive(data: Buffer): void {
    const at = data.indexOf(TS_MARK);
    if (at >= 0) {
      counters.updates += 1;
      counters.sampleTick += 1;
      if (counters.sampleTick >= sampleEvery) {
        counters.sampleTick = 0;
        latencies.push(Date.now() - readInteger(data, at + TS_MARK.length));
      }
      return;
    }
    if (this.protocol === 'socketio') {
      if (data[0] === 0x30) return void this.socket.send('40'); // open -> connect the default namespace
      if (data[0] === 0x32) return void this.socket.send('3'); // ping -> pong
      if (data[0] === 0x34 && data[1] === 0x30) return void this.onResponse?.(); // namespace connected
    }
    if (data.indexOf(RESPONSE_MARK) >= 0) {
      this.responses += 1;
      this.onResponse?.();
    }
  }
}

function readInteger(data: Buffer, from: number): number {
  let value = 0;
  for (let index = from; index < data.length; index += 1) {
    const digit = data[index]! - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Opens every connection first, then subscribes them all: while the first subscribers keep the
 * server busy (W1 saturates it from the first one), handshakes would queue behind the fan-out.
 */
async function connect(request: LoadConnect): Promise<number> {
  sampleEvery = request.sampleEvery;
  const opened: LoadClient[] = [];
  for (let start = 0; start < request.clients.length; start += CONNECT_BATCH) {
    const batch = request.clients.slice(start, start + CONNECT_BATCH);
    opened.push(...(await Promise.all(batch.map(() => LoadClient.open(request.url, request.protocol)))));
  }
  for (let start = 0; start < opened.length; start += CONNECT_BATCH) {
    await subscribeAll(opened.slice(start, start + CONNECT_BATCH), request.clients.slice(start, start + CONNECT_BATCH));
  }
  clients.push(...opened);
  return clients.length;
}

/** Subscribes `batch[i]`'s topics on `opened[i]`; resolves once every response is in. */
function subscribeAll(opened: readonly LoadClient[], batch: readonly (readonly TopicRef[])[]): Promise<unknown> {
  return Promise.all(
    opened.map((client, index) => {
      const topics = batch[index] ?? [];
      const acknowledged = client.awaitResponses(topics.length);
      for (const topic of topics) client.send('subscribe', topic);
      return acknowledged;
    }),
  );
}

/** More topics for the clients already connected: `topics[i]` for the i-th client of this process. */
async function subscribeMore(topics: readonly (readonly TopicRef[])[]): Promise<number> {
  for (let start = 0; start < clients.length; start += CONNECT_BATCH) {
    await subscribeAll(clients.slice(start, start + CONNECT_BATCH), topics.slice(start, start + CONNECT_BATCH));
  }
  return topics.reduce((sum, list) => sum + list.length, 0);
}

/** `cycles` subscribe/unsubscribe pairs spread over the clients, a few pairs in flight per client. */
async function churn(cycles: number, topics: readonly TopicRef[]): Promise<number> {
  const window = 8;
  const perClient = Math.ceil(cycles / clients.length);
  let responses = 0;
  await Promise.all(
    clients.map(async (client, clientIndex) => {
      for (let done = 0; done < perClient; done += window) {
        const pairs = Math.min(window, perClient - done);
        const acknowledged = client.awaitResponses(2 * pairs);
        for (let pair = 0; pair < pairs; pair += 1) {
          const topic = topics[(clientIndex * perClient + done + pair) % topics.length]!;
          client.send('subscribe', topic);
          client.send('unsubscribe', topic);
        }
        await acknowledged;
        responses += 2 * pairs;
      }
    }),
  );
  return responses;
}

serveRequests<LoadRequest, LoadReply>(async (request) => {
  switch (request.type) {
    case 'connect':
      return { type: 'connect', connected: await connect(request) };
    case 'subscribe':
      return { type: 'subscribe', subscribed: await subscribeMore(request.clients) };
    case 'churn':
      return { type: 'churn', responses: await churn(request.cycles, request.topics) };
    case 'reset':
      counters.updates = 0;
      counters.since = Date.now();
      latencies = [];
      return { type: 'reset' };
    case 'report':
      return { type: 'report', updates: counters.updates, elapsedMs: Date.now() - counters.since, latencies };
    case 'disconnect':
      for (const client of clients) client.close();
      clients = [];
      return { type: 'disconnect' };
    case 'stop':
      for (const client of clients) client.close();
      clients = [];
      return { type: 'stop' };
  }
});
