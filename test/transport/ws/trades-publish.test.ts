import { describe, expect, it } from 'vitest';
import type { TradeResult } from '../../../src/domain/trade-result.js';
import { parseClientFrame } from '../../../src/transport/ws/protocol.js';
import { publishTrades, type TradeIngest } from '../../../src/transport/ws/trades-publish.js';

function fakeIngest(pending = 0): TradeIngest & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    pending,
    maxPending: 10,
    publish: async (items) => (calls.push([...items]), items.map((): TradeResult => ({ status: 'accepted' }))),
  };
}

function replies() {
  const sent: Record<string, unknown>[] = [];
  const closed: [number, string][] = [];
  return { sent, closed, isOpen: true, reply: (frame: string) => void sent.push(JSON.parse(frame) as Record<string, unknown>), close: (code: number, reason: string) => void closed.push([code, reason]) };
}

describe('trades.publish', () => {
  it('is its own message type, with its id', () => {
    expect(parseClientFrame(Buffer.from(JSON.stringify({ type: 'trades.publish', id: 7, payload: { trades: [] } })), false)).toEqual({
      ok: true,
      message: { type: 'publish', id: 7, payload: { trades: [] } },
    });
  });

  it("answers with every trade's result and the counts, once the ingest has them", async () => {
    const ingest = fakeIngest();
    const target = replies();
    publishTrades(ingest, '*', { trades: [{ a: 1 }, { b: 2 }] }, 'p1', target);
    await new Promise((resolve) => setImmediate(resolve));
    expect(target.sent).toEqual([
      { type: 'trades.publish.response', id: 'p1', payload: { status: 'ok', accepted: 2, duplicates: 0, refused: 0, results: [{ status: 'accepted' }, { status: 'accepted' }] } },
    ]);
  });

  it('refuses a credential without the publish right, and a payload that is not a batch, as a whole', () => {
    const ingest = fakeIngest();
    const target = replies();
    publishTrades(ingest, undefined, { trades: [{}] }, 1, target);
    publishTrades(ingest, '*', { trades: 'x' }, 2, target);
    publishTrades(ingest, '*', { trades: [] }, 3, target);
    publishTrades(ingest, '*', [{}], 4, target);
    expect(target.sent.map((message) => [message['id'], (message['payload'] as { code: string }).code])).toEqual([
      [1, 'PUBLISH_FORBIDDEN'],
      [2, 'INVALID_PAYLOAD'],
      [3, 'INVALID_PAYLOAD'],
      [4, 'INVALID_PAYLOAD'],
    ]);
    expect(ingest.calls).toEqual([]);
  });

  it('closes a publisher with 1013 once more than twice INGEST_MAX_PENDING trades would wait, and holds its acks below that', async () => {
    const target = replies();
    publishTrades(fakeIngest(19), '*', { trades: [{}, {}] }, 1, target);
    expect(target.closed).toEqual([[1013, 'too many trades waiting to be stored; retry later']]);
    const below = replies();
    const ingest = fakeIngest(15);
    publishTrades(ingest, '*', { trades: [{}] }, 2, below);
    await new Promise((resolve) => setImmediate(resolve));
    expect({ closed: below.closed, answered: below.sent.length, published: ingest.calls.length }).toEqual({ closed: [], answered: 1, published: 1 });
  });
});
