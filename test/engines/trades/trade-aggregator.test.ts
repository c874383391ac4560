import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import type { Trade } from '../../../src/domain/trade.js';
import type { TopicUpdate } from '../../../src/domain/update.js';
import { TradeAggregator } from '../../../src/engines/trades/trade-aggregator.js';
import { MemoryTradeStore } from '../../support/memory-trade-store.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const MINUTE = 60_000;
const LATENESS = 1_000;
const trade = (time: number, price: number, size = 1, id?: string): Trade => ({ symbol: 'ACME', price, size, time, ...(id ? { id } : {}) });

async function started(store = new MemoryTradeStore(), maxBars = 100): Promise<{ aggregator: TradeAggregator; store: MemoryTradeStore; clock: VirtualClock }> {
  const clock = new VirtualClock();
  clock.advanceTo(T0);
  const aggregator = new TradeAggregator({ symbols: ['ACME'], resolutions: ['5'], latenessMs: LATENESS, maxBars, store, scheduler: clock });
  await aggregator.start();
  return { aggregator, store, clock };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TradeAggregator', () => {
  it('aggregates every trade-fed topic, always on, and stores every final of 1 and of each configured resolution', async () => {
    const { aggregator, store, clock } = await started();
    aggregator.add([trade(T0 + 1_000, 10, 2), trade(T0 + 2_000, 11, 1)]);
    clock.advanceTo(T0 + MINUTE + 5_000);
    aggregator.add([trade(T0 + MINUTE + 5_000, 12, 4)]);
    clock.advanceTo(T0 + 5 * MINUTE + LATENESS);
    await settle();
    expect(store.savedBars.get(`ACME:1:${T0}`)).toEqual({ time: T0, open: 10, high: 11, low: 10, close: 11, volume: 3 });
    expect(store.savedBars.get(`ACME:1:${T0 + MINUTE}`)).toEqual({ time: T0 + MINUTE, open: 12, high: 12, low: 12, close: 12, volume: 4 });
    expect(store.savedBars.get(`ACME:5:${T0}`)).toEqual({ time: T0, open: 10, high: 12, low: 10, close: 12, volume: 7 });
    expect(aggregator.recentFinals({ symbol: 'ACME', resolution: '1' }).bars.map((bar) => bar.time)).toEqual([T0, T0 + MINUTE]);
    expect(aggregator.isTradeFed('ACME')).toBe(true);
    expect(aggregator.isTradeFed('AAPL')).toBe(false);
    await aggregator.stop();
  });

  it('gives a topic its forming bar first, then every update', async () => {
    const { aggregator, clock } = await started();
    clock.advanceTo(T0 + 2_000);
    aggregator.add([trade(T0 + 1_500, 10)]);
    const seen: TopicUpdate<Bar>[] = [];
    const subscription = aggregator.updates({ symbol: 'ACME', resolution: '1' }).subscribe((update) => seen.push(update));
    aggregator.add([trade(T0 + 2_000, 12)]);
    clock.advanceTo(T0 + MINUTE + LATENESS);
    expect(seen.map((update) => [update.value.close, update.final])).toEqual([
      [10, false],
      [12, false],
      [12, true],
    ]);
    expect(aggregator.forming({ symbol: 'ACME', resolution: '1' })).toBeUndefined();
    subscription.unsubscribe();
    await aggregator.stop();
  });

  it('hands a commit to each topic whole: one update per topic per commit, not one per trade', async () => {
    const { aggregator, clock } = await started();
    clock.advanceTo(T0 + 2_000);
    const seen: TopicUpdate<Bar>[] = [];
    const subscriptions = (['1', '5'] as const).map((resolution) => aggregator.updates({ symbol: 'ACME', resolution }).subscribe((update) => seen.push(update)));
    aggregator.add([trade(T0 + 1_000, 10), trade(T0 + 1_500, 12, 2), trade(T0 + 2_000, 11)]);
    expect(seen.map((update) => [update.value.open, update.value.high, update.value.close, update.value.volume])).toEqual([
      [10, 12, 11, 4],
      [10, 12, 11, 4],
    ]);
    for (const subscription of subscriptions) subscription.unsubscribe();
    await aggregator.stop();
  });

  it("conflates a batch's forming updates per topic: the whole batch folded, one update, and the final never conflated", async () => {
    const { aggregator, clock } = await started();
    clock.advanceTo(T0 + 2_000);
    const seen: TopicUpdate<Bar>[] = [];
    const subscription = aggregator.updates({ symbol: 'ACME', resolution: '1' }).subscribe((update) => seen.push(update));
    aggregator.add([trade(T0 + 1_000, 10), trade(T0 + 1_500, 14), trade(T0 + 1_200, 8)]);
    aggregator.add([trade(T0 + 1_800, 11)]);
    clock.advanceTo(T0 + MINUTE + LATENESS);
    expect(seen.map((update) => [update.value, update.final])).toEqual([
      [{ time: T0, open: 10, high: 14, low: 8, close: 14, volume: 3 }, false],
      [{ time: T0, open: 10, high: 14, low: 8, close: 11, volume: 4 }, false],
      [{ time: T0, open: 10, high: 14, low: 8, close: 11, volume: 4 }, true],
    ]);
    subscription.unsubscribe();
    await aggregator.stop();
  });

  it('keeps at most maxBars finals per topic in memory, and says when older ones exist', async () => {
    const { aggregator, clock } = await started(new MemoryTradeStore(), 2);
    for (let minute = 0; minute < 3; minute += 1) {
      clock.advanceTo(T0 + minute * MINUTE + 2_000);
      aggregator.add([trade(T0 + minute * MINUTE + 1_000, 10 + minute)]);
    }
    clock.advanceTo(T0 + 4 * MINUTE);
    expect(aggregator.recentFinals({ symbol: 'ACME', resolution: '1' })).toEqual({
      bars: [expect.objectContaining({ time: T0 + MINUTE }), expect.objectContaining({ time: T0 + 2 * MINUTE })],
      truncated: true,
    });
    await aggregator.stop();
  });

  it('recovers on start: stored finals, the forming bar rebuilt from the trades after them, and missed closes closed at once', async () => {
    const store = new MemoryTradeStore();
    // Before a crash: minute 0 was final and stored; minute 1 and minute 2 had trades, neither final.
    await store.saveBars([{ symbol: 'ACME', resolution: '1', bar: { time: T0 - MINUTE, open: 5, high: 5, low: 5, close: 5, volume: 1 } }]);
    await store.appendTrades([trade(T0 - MINUTE + 1, 5), trade(T0 + 10, 10), trade(T0 + 20, 11), trade(T0 + MINUTE + 30, 13)]);
    // The late trade of minute 0 arrived after minute 1's first one: the replay still folds it into minute 0.
    await store.appendTrades([trade(T0 + 5, 9)]);
    const clock = new VirtualClock();
    clock.advanceTo(T0 + MINUTE + 40_000);
    const aggregator = new TradeAggregator({ symbols: ['ACME'], resolutions: ['5'], latenessMs: LATENESS, maxBars: 100, store, scheduler: clock });
    await aggregator.start();
    await settle();
    expect(store.savedBars.get(`ACME:1:${T0}`)).toEqual({ time: T0, open: 9, high: 11, low: 9, close: 11, volume: 3 });
    expect(aggregator.forming({ symbol: 'ACME', resolution: '1' })).toEqual({ time: T0 + MINUTE, open: 13, high: 13, low: 13, close: 13, volume: 1 });
    expect(aggregator.forming({ symbol: 'ACME', resolution: '5' })).toEqual({ time: T0, open: 9, high: 13, low: 9, close: 13, volume: 4 });
    expect(aggregator.recentFinals({ symbol: 'ACME', resolution: '1' }).bars.map((bar) => bar.time)).toEqual([T0 - MINUTE, T0]);
    await aggregator.stop();
  });

  it('retries finals the store refused with the next write', async () => {
    const { aggregator, store, clock } = await started();
    store.failWrites = true;
    aggregator.add([trade(T0 + 1_000, 10)]);
    clock.advanceTo(T0 + MINUTE + LATENESS);
    await settle();
    expect(store.savedBars.size).toBe(0);
    store.failWrites = false;
    clock.advanceTo(T0 + MINUTE + 2_000);
    aggregator.add([trade(T0 + MINUTE + 2_000, 11)]);
    clock.advanceTo(T0 + 2 * MINUTE + LATENESS);
    await settle();
    expect([...store.savedBars.keys()]).toEqual([`ACME:1:${T0}`, `ACME:1:${T0 + MINUTE}`]);
    await aggregator.stop();
  });
});
