import { firstValueFrom, of, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import type { TopicUpdate } from '../../../src/domain/update.js';
import { TradeAggregator } from '../../../src/engines/trades/trade-aggregator.js';
import { tradesEngine } from '../../../src/engines/trades/trades-engine.js';
import { READY, type BarEngine } from '../../../src/streams/bar-source.js';
import type { TopicContext } from '../../../src/streams/topic-kind.js';
import { MemoryTradeStore } from '../../support/memory-trade-store.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const mockBar: Bar = { time: T0, open: 1, high: 1, low: 1, close: 1, volume: 1 };

describe('tradesEngine', () => {
  it("serves a trade-fed symbol from the aggregator, numbered in a fresh epoch with its finals as they are, and others from the wrapped engine", async () => {
    const clock = new VirtualClock();
    clock.advanceTo(T0);
    const aggregator = new TradeAggregator({ symbols: ['ACME'], resolutions: ['1'], latenessMs: 0, maxBars: 10, store: new MemoryTradeStore(), scheduler: clock });
    await aggregator.start();
    let stopped = 0;
    const wrapped: BarEngine = {
      bars: () => of<TopicUpdate<Bar>>({ value: mockBar, ts: T0, seq: 7, epoch: 'mock', final: false }),
      servesClients: true,
      readiness: () => READY,
      start: () => undefined,
      stop: async () => void (stopped += 1),
    };
    let epochs = 0;
    const engine = tradesEngine({ aggregator, newEpoch: () => `e${(epochs += 1)}` }, wrapped);
    const context = { scheduler: clock } as unknown as TopicContext;

    expect(await firstValueFrom(engine.bars({ symbol: 'AAPL', resolution: '1' }, context))).toEqual({ value: mockBar, ts: T0, seq: 7, epoch: 'mock', final: false });
    const updates = firstValueFrom(engine.bars({ symbol: 'ACME', resolution: '1' }, context).pipe(take(2), toArray()));
    aggregator.add([{ symbol: 'ACME', price: 10, size: 1, time: T0 }]);
    clock.advanceTo(T0 + 60_000);
    expect((await updates).map(({ seq, epoch, final, value }) => ({ seq, epoch, final, close: value.close }))).toEqual([
      { seq: 1, epoch: 'e1', final: false, close: 10 },
      { seq: 2, epoch: 'e1', final: true, close: 10 },
    ]);
    expect(engine.servesClients).toBe(true);
    expect(engine.readiness()).toBe(READY);
    await engine.stop();
    expect(stopped).toBe(1);
  });
});
