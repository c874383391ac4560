import { asyncScheduler, NEVER, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import type { TopicUpdate } from '../../../src/domain/update.js';
import { barsTopicKind } from '../../../src/streams/bars-topic.js';
import { Hub } from '../../../src/streams/hub.js';
import { quotesTopicKind } from '../../../src/streams/quotes-topic.js';
import { seriesHistory } from '../../../src/streams/series-history.js';
import { Outbox } from '../../../src/transport/ws/outbox.js';
import { MessageRateLimiter } from '../../../src/transport/ws/rate-limit.js';
import type { Credential } from '../../../src/transport/auth/credential.js';
import { AuthSession } from '../../../src/transport/ws/auth-session.js';
import type { PeerSocket } from '../../../src/transport/ws/peer-socket.js';
import type { PreparedFrame } from '../../../src/transport/ws/prepared-frame.js';
import { Session } from '../../../src/transport/ws/session.js';
import { topicScope } from '../../../src/domain/topic-scope.js';
import { TopicFanout } from '../../../src/transport/ws/topic-fanout.js';

const MINUTE = 60_000;
const NOW = 1_000 * MINUTE + 30_000; // mid-minute 1000
const catalog = { symbols: ['AAPL', 'MSFT'], resolutions: ['1' as const] };
const history = seriesHistory(1);

/** A session on a fake socket, over a hub whose bars come from subjects the test drives. */
function setup({
  maxSubscriptions = 10,
  messagesPerSecond = 1_000,
  listedAt = undefined as number | undefined,
  credential = { kind: 'anonymous' } as Credential,
} = {}) {
  const sources = new Map<string, Subject<TopicUpdate<Bar>>>();
  const engine = {
    bars: ({ symbol }: { symbol: string }) => {
      const source = new Subject<TopicUpdate<Bar>>();
      sources.set(symbol, source);
      return source;
    },
  };
  const hub = new Hub({ scheduler: asyncScheduler, shutdown$: NEVER, emit: () => undefined, enabled: true })
    .register(barsTopicKind({ catalog, engine, resume: { history, maxBars: 50, now: () => NOW, ...(listedAt === undefined ? {} : { listedAt }) } }))
    .register(quotesTopicKind(catalog));
  const socket = {
    isOpen: true,
    bufferedAmount: 0,
    sent: [] as Record<string, unknown>[],
    sendText(frame: string) {
      socket.sent.push(JSON.parse(frame) as Record<string, unknown>);
    },
    sendFrame(frame: PreparedFrame) {
      socket.sendText(frame.text);
    },
    cork: () => undefined,
    ping: () => undefined,
    uncork: () => undefined,
    closedWith: undefined as number | undefined,
    close(code: number) {
      socket.closedWith = code;
    },
  };
  const outbox = new Outbox(
    socket,
    { bufferSoftBytes: 1_000, bufferHardBytes: 10_000, slowConsumerTimeoutMs: 1_000, drainCheckMs: 10, unreadSoftBytes: 0, scheduler: asyncScheduler },
    { onConflated: () => undefined, onSlowConsumer: () => undefined },
  );
  const fanout = new TopicFanout(() => undefined, () => NOW, (flush) => flush());
  const limiter = new MessageRateLimiter({ messagesPerSecond, messageBurst: 5, rateLimitCloseAfter: 3, now: () => 0 });
  const auth = new AuthSession(
    credential,
    { sendReply: (frame) => outbox.sendReply(frame), closeForAuth: (code) => socket.close(code), isOpen: true },
    { authority: () => ({ required: false, verify: () => Promise.reject(new Error('unused')), stillValid: () => true }), timing: { warningMs: 0, skewMs: 0 }, scheduler: asyncScheduler, emit: () => undefined },
  );
  const sessionAuth = { allows: (key: string) => auth.allows(key), receiveAuth: auth.receive.bind(auth), stopAuth: () => auth.close(), publishing: () => undefined };
  const session = new Session(socket as unknown as PeerSocket, { hub, fanout, emit: () => undefined, maxSubscriptions }, outbox, limiter, sessionAuth);
  const receive = (message: unknown): void => session.receive(Buffer.from(JSON.stringify(message)), false);
  return { session, socket, sources, receive };
}

const bar = (minute: number, close = 1): Bar => ({ time: minute * MINUTE, open: 1, high: 2, low: 0.5, close, volume: 1 });

describe('Session', () => {
  it('refuses, with FORBIDDEN_TOPIC, the topics a token scope leaves out, one by one in a multi-topic request', () => {
    const scope = topicScope(['bars:AAPL:*', 'quotes:AAPL']) ?? (() => false);
    const { socket, receive } = setup({ credential: { kind: 'jwt', expiresAt: Number.MAX_SAFE_INTEGER, scope } });
    receive({ type: 'bars.subscribe', id: 1, payload: { symbol: 'MSFT' } });
    receive({ type: 'quotes.subscribe', id: 2, payload: { symbols: ['AAPL', 'MSFT'] } });
    expect(socket.sent[0]).toMatchObject({ type: 'bars.subscribe.response', id: 1, payload: { status: 'error', code: 'FORBIDDEN_TOPIC', topic: 'bars:MSFT:1' } });
    expect(socket.sent[1]).toMatchObject({
      type: 'quotes.subscribe.response',
      id: 2,
      payload: { status: 'ok', topics: [{ status: 'ok', topic: 'quotes:AAPL' }, { status: 'error', code: 'FORBIDDEN_TOPIC', topic: 'quotes:MSFT' }] },
    });
  });

  it('answers first, echoing the id, then sends the topic updates the fan-out hands it', () => {
    const { socket, sources, receive } = setup();
    receive({ type: 'bars.subscribe', id: 'a1', payload: { symbol: 'AAPL' } });
    sources.get('AAPL')!.next({ value: bar(1000), ts: NOW, seq: 1, epoch: 'e', final: false });
    expect(socket.sent).toEqual([
      { type: 'bars.subscribe.response', id: 'a1', payload: { status: 'ok', symbol: 'AAPL', resolution: '1', topic: 'bars:AAPL:1', message: 'Subscribed to bars:AAPL:1' } },
      { type: 'bars.update', topic: 'bars:AAPL:1', ts: NOW, seq: 1, epoch: 'e', final: false, payload: bar(1000) },
    ]);
  });

  it('refuses an unregistered kind as a frame error and a bad request as its response, both with the id', () => {
    const { socket, receive } = setup();
    receive({ type: 'candles.subscribe', id: 3, payload: {} });
    receive({ type: 'bars.subscribe', id: 4, payload: { symbol: 'TSLA' } });
    expect(socket.sent).toEqual([
      { type: 'error', id: 3, payload: expect.objectContaining({ code: 'UNKNOWN_TYPE' }) },
      { type: 'bars.subscribe.response', id: 4, payload: expect.objectContaining({ status: 'error', code: 'UNKNOWN_SYMBOL' }) },
    ]);
  });

  it('applies one subscription limit with one message to requests naming one topic or several', () => {
    const { socket, receive } = setup({ maxSubscriptions: 1 });
    receive({ type: 'bars.subscribe', payload: { symbol: 'AAPL' } });
    receive({ type: 'bars.subscribe', payload: { symbol: 'MSFT' } });
    receive({ type: 'quotes.subscribe', payload: { symbols: ['AAPL'] } });
    const single = socket.sent[1]!['payload'] as Record<string, unknown>;
    const several = (socket.sent[2]!['payload'] as { topics: Record<string, unknown>[] }).topics[0]!;
    expect(single).toMatchObject({ status: 'error', code: 'SUBSCRIPTION_LIMIT' });
    expect(several).toMatchObject({ status: 'error', code: 'SUBSCRIPTION_LIMIT' });
    expect(several['message']).toBe(single['message']);
  });

  it("resumes from since: the response says how many bars follow, history's closed bars, then live, never a replayed bar twice", () => {
    const { socket, sources, receive } = setup();
    const since = 996 * MINUTE;
    receive({ type: 'bars.subscribe', id: 9, payload: { symbol: 'AAPL', since } });
    const aapl = sources.get('AAPL')!;
    aapl.next({ value: bar(999), ts: 999 * MINUTE + 59_000, seq: 1, epoch: 'e', final: false }); // a late copy of a replayed bar
    aapl.next({ value: bar(1000), ts: NOW, seq: 2, epoch: 'e', final: false });
    const [response, ...updates] = socket.sent;
    expect(response).toMatchObject({ id: 9, payload: { status: 'ok', recovered: true, replayed: 3 } });
    expect(updates.map((update) => [(update['payload'] as Bar).time / MINUTE, update['replay'] ?? false, update['final']])).toEqual([
      [997, true, true],
      [998, true, true],
      [999, true, true],
      [1000, false, false],
    ]);
    expect(updates.slice(0, 3).map((update) => update['payload'])).toEqual(history.bars('AAPL', '1', { first: 997, end: 1000 }));
  });

  it('answers a resume past the replay limit with recovered: false and replays nothing', () => {
    const { socket, receive } = setup();
    receive({ type: 'bars.subscribe', payload: { symbol: 'AAPL', since: 900 * MINUTE } });
    expect(socket.sent).toEqual([{ type: 'bars.subscribe.response', payload: expect.objectContaining({ status: 'ok', recovered: false }) }]);
  });

  it("answers a resume from before the series' first bar with recovered: false (the client holds bars history has not)", () => {
    const { socket, receive } = setup({ listedAt: 990 * MINUTE });
    receive({ type: 'bars.subscribe', payload: { symbol: 'AAPL', since: 980 * MINUTE } });
    receive({ type: 'bars.subscribe', payload: { symbol: 'MSFT', since: 995 * MINUTE } });
    const responses = socket.sent.filter((message) => message['type'] === 'bars.subscribe.response');
    expect(responses.map((message) => (message['payload'] as Record<string, unknown>)['recovered'])).toEqual([false, true]);
  });

  it('answers a ping with a pong echoing its id, and closes a connection that keeps flooding past its debt', () => {
    const { socket, receive } = setup({ messagesPerSecond: 0.000_001 });
    receive({ type: 'ping', id: 'p' });
    expect(socket.sent[0]).toEqual({ type: 'pong', id: 'p' });
    for (let index = 0; index < 20 && socket.closedWith === undefined; index += 1) receive({ type: 'ping' });
    expect(socket.closedWith).toBe(1008);
  });
});
