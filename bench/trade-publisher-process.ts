import WebSocket from 'ws';
import { serveRequests } from './ipc.js';
import { TradeFeed } from './trade-feed.js';
import { monotonicMs, type PublisherReply, type PublisherRequest, type PublisherStart, type SentBatch } from './trades-e2e-ipc.js';

/**
 * T3's publisher (child process): one WebSocket with a publisher token, sending
 * `trades.publish` batches at `tradesPerSecond`, every `batchEveryMs` the trades due since the
 * last batch (so a late timer catches up instead of lowering the rate), each trade stamped
 * with the wall clock's time at sending; it keeps when each batch left and what came back.
 * Like a well-behaved feed it respects back-pressure: while MAX_IN_FLIGHT trades are
 * unanswered it sends nothing (the trades due meanwhile go in the next batches, so the rate
 * is kept if the server catches up), instead of being closed for overloading the server.
 */
const MAX_BATCH = 10_000;
/** INGEST_MAX_PENDING's default: past it the server withholds answers and stops reading. */
const MAX_IN_FLIGHT = 50_000;

let socket: WebSocket | undefined;
let timer: NodeJS.Timeout | undefined;
const batches: { sentAt: number; answeredAt: number; tradeTime: number; trades: number; accepted: number }[] = [];
const refusals: Record<string, number> = {};
let answered = 0;
let inFlight = 0;
/** Timer ticks skipped because MAX_IN_FLIGHT trades were unanswered. */
let heldBack = 0;

async function start(request: PublisherStart): Promise<void> {
  const ws = new WebSocket(request.url, { headers: { authorization: `Bearer ${request.token}` } });
  socket = ws;
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data) => {
    const at = monotonicMs();
    const message = JSON.parse(String(data)) as { type: string; id?: number; payload?: { status: string; accepted?: number; code?: string; results?: { status: string; code?: string }[] } };
    if (message.type !== 'trades.publish.response' || message.id === undefined) return;
    const batch = batches[message.id];
    if (!batch) return;
    answered += 1;
    batch.answeredAt = at;
    inFlight -= batch.trades;
    batch.accepted = message.payload?.accepted ?? 0;
    if (message.payload?.status !== 'ok') refusals[message.payload?.code ?? 'unknown'] = (refusals[message.payload?.code ?? 'unknown'] ?? 0) + batch.trades;
    for (const result of message.payload?.results ?? []) if (result.status === 'refused') refusals[result.code ?? '?'] = (refusals[result.code ?? '?'] ?? 0) + 1;
  });
  ws.on('close', (code) => {
    if (timer) process.stderr.write(`T3 publisher: the server closed the socket (${code})\n`);
    clearInterval(timer);
    timer = undefined;
  });
  const feed = new TradeFeed(request.symbol);
  const startedAt = monotonicMs();
  let sent = 0;
  timer = setInterval(() => {
    const due = Math.min(MAX_BATCH, Math.floor(((monotonicMs() - startedAt) / 1000) * request.tradesPerSecond) - sent);
    if (due <= 0 || ws.readyState !== WebSocket.OPEN) return;
    if (inFlight + due > MAX_IN_FLIGHT) return void (heldBack += 1);
    const time = Date.now();
    const id = batches.length;
    const frame = JSON.stringify({ type: 'trades.publish', id, payload: { trades: feed.next(due, time) } });
    batches.push({ sentAt: monotonicMs(), answeredAt: Number.NaN, tradeTime: time, trades: due, accepted: 0 });
    ws.send(frame);
    sent += due;
    inFlight += due;
  }, request.batchEveryMs);
}

serveRequests<PublisherRequest, PublisherReply>(async (request) => {
  switch (request.type) {
    case 'start':
      await start(request);
      return { type: 'start' };
    case 'finish': {
      clearInterval(timer);
      timer = undefined;
      // The last batches' answers are on their way: a commit takes milliseconds.
      for (let waited = 0; answered < batches.length && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      const result: SentBatch[] = batches.map((batch) => ({ ...batch }));
      return { type: 'finish', batches: result, unanswered: batches.length - answered, refusals, heldBack };
    }
    case 'stop':
      socket?.terminate();
      return { type: 'stop' };
  }
});
