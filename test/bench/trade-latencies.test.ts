import { describe, expect, it } from 'vitest';
import { answerLatency, LATENESS_MS, tradeLatencies } from '../../bench/trades-e2e-workload.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0);

describe('T3 trade latencies (bench/trades-e2e-workload.ts)', () => {
  it('gives each accepted trade the first update of its minute whose volume includes it, apart for trades in the lateness hold', () => {
    const batches = [
      { sentAt: 100, answeredAt: Number.NaN, tradeTime: T0 + 5_000, trades: 3, accepted: 3 },
      { sentAt: 110, answeredAt: Number.NaN, tradeTime: T0 + 5_010, trades: 2, accepted: 1 }, // one refused: not numbered
      { sentAt: 200, answeredAt: Number.NaN, tradeTime: T0 + MINUTE + 500, trades: 2, accepted: 2 }, // in the hold
    ];
    const client = {
      barTime: [T0, T0, T0, T0 + MINUTE],
      volume: [2, 3, 4, 2],
      receivedAt: [103, 104, 115, 200 + LATENESS_MS - 500],
    };
    const { pipeline, held, all, unseen } = tradeLatencies(batches, [client], 0);
    // trades 1-2 at 3 ms, 3 at 4 ms (first batch), 4 at 5 ms (second batch)
    expect(pipeline).toEqual({ trades: 4, p50: 3, p99: 5, p999: 5, max: 5 });
    expect(held).toEqual({ trades: 2, p50: 1_500, p99: 1_500, p999: 1_500, max: 1_500 });
    expect(all.trades).toBe(6);
    expect(unseen).toBe(0);
  });

  it('counts trades no update included as unseen, and leaves the warm-up out', () => {
    const batches = [
      { sentAt: 50, answeredAt: Number.NaN, tradeTime: T0 + 5_000, trades: 1, accepted: 1 },
      { sentAt: 100, answeredAt: Number.NaN, tradeTime: T0 + 5_000, trades: 2, accepted: 2 },
    ];
    const client = { barTime: [T0, T0], volume: [1, 2], receivedAt: [52, 101] };
    const { pipeline, unseen } = tradeLatencies(batches, [client], 100);
    expect(pipeline).toEqual({ trades: 1, p50: 1, p99: 1, p999: 1, max: 1 });
    expect(unseen).toBe(1);
  });

  it('weights each answered batch by its trades, from send to answer, and leaves unanswered batches out', () => {
    const batches = [
      { sentAt: 100, answeredAt: 102, tradeTime: T0, trades: 98, accepted: 98 },
      { sentAt: 110, answeredAt: 140, tradeTime: T0, trades: 2, accepted: 2 },
      { sentAt: 120, answeredAt: Number.NaN, tradeTime: T0, trades: 50, accepted: 0 },
    ];
    expect(answerLatency(batches)).toEqual({ trades: 100, p50: 2, p99: 30, p999: 30, max: 30 });
  });
});
