import { describe, expect, it } from 'vitest';
import type { Trade } from '../../src/domain/trade.js';
import type { TradeResult } from '../../src/domain/trade-result.js';
import { ForwardingIngest } from '../../src/ingest/forwarding-ingest.js';
import { VirtualClock } from '../support/virtual-clock.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const trade = (symbol: string, id: string, extra: Record<string, unknown> = {}) => ({ symbol, price: 10, size: 1, time: T0 + 1_000, id, ...extra });

function forwardingOf() {
  const clock = new VirtualClock();
  clock.advanceTo(T0 + 2_000);
  const ingest = new ForwardingIngest({ rules: { symbols: new Set(['ACME', 'BETA']), latenessMs: 2_000, maxFutureMs: 5_000 }, scheduler: clock, maxPending: 100 });
  const forwarded: { symbol: string; ids: (string | undefined)[]; answer: (results: readonly TradeResult[]) => void }[] = [];
  ingest.useForwarder({
    forward: (symbol: string, trades: readonly Trade[]) => new Promise((answer) => forwarded.push({ symbol, ids: trades.map((t) => t.id), answer })),
  });
  return { ingest, forwarded };
}

describe('ForwardingIngest', () => {
  it('refuses a bad trade at once, forwards the rest one forward per symbol, and answers each in its place', async () => {
    const { ingest, forwarded } = forwardingOf();
    const answered = ingest.publish([trade('ACME', 'a'), trade('BETA', 'b'), trade('ACME', 'c', { price: -1 }), trade('ACME', 'd'), trade('MSFT', 'e')], '*');
    expect(forwarded.map(({ symbol, ids }) => [symbol, ids])).toEqual([
      ['ACME', ['a', 'd']],
      ['BETA', ['b']],
    ]);
    expect(ingest.pending).toBe(3);
    forwarded[0]!.answer([{ status: 'accepted' }, { status: 'duplicate' }]);
    forwarded[1]!.answer([{ status: 'refused', code: 'TRADE_TOO_LATE', message: 'late' }]);
    expect((await answered).map((result) => (result.status === 'refused' ? result.code : result.status))).toEqual(['accepted', 'TRADE_TOO_LATE', 'INVALID_PRICE', 'duplicate', 'UNKNOWN_SYMBOL']);
    expect(ingest.pending).toBe(0);
  });

  it('refuses INGEST_UNAVAILABLE until it has a forwarder, and refuses what comes once closing after answering what waits', async () => {
    const clock = new VirtualClock();
    clock.advanceTo(T0 + 2_000);
    const early = new ForwardingIngest({ rules: { symbols: new Set(['ACME']), latenessMs: 2_000, maxFutureMs: 5_000 }, scheduler: clock, maxPending: 100 });
    expect((await early.publish([trade('ACME', 'a')], '*'))[0]).toMatchObject({ status: 'refused', code: 'INGEST_UNAVAILABLE' });

    const { ingest, forwarded } = forwardingOf();
    const waiting = ingest.publish([trade('ACME', 'a')], '*');
    let closed = false;
    const closing = ingest.close().then(() => (closed = true));
    expect((await ingest.publish([trade('ACME', 'b')], '*'))[0]).toMatchObject({ status: 'refused', code: 'SHUTTING_DOWN' });
    expect(closed).toBe(false);
    forwarded[0]!.answer([{ status: 'accepted' }]);
    await closing;
    expect(await waiting).toEqual([{ status: 'accepted' }]);
  });
});
