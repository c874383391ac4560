import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import { GatewayTradeView } from '../../../src/engines/trades/gateway-trade-view.js';
import { MemoryTradeStore } from '../../support/memory-trade-store.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0);
const bar = (time: number, close = 10): Bar => ({ time, open: 10, high: 11, low: 9, close, volume: 1 });
const ACME = { symbol: 'ACME', resolution: '1' } as const;

function viewOf(store = new MemoryTradeStore(), maxBars = 3) {
  return { store, view: new GatewayTradeView({ symbols: ['ACME'], resolutions: ['5'], maxBars, store }) };
}

describe('GatewayTradeView', () => {
  it('names every trade-fed topic, at 1 and at each configured resolution', () => {
    expect(viewOf().view.allTopics()).toEqual([ACME, { symbol: 'ACME', resolution: '5' }]);
  });

  it('starts from the stored finals and keeps the ones it receives, newest last, at most maxBars', async () => {
    const { store, view } = viewOf();
    await store.saveBars([0, 1].map((n) => ({ symbol: 'ACME', resolution: '1', bar: bar(T0 + n * MINUTE) })));
    await view.load();
    expect(view.recentFinals(ACME)).toEqual({ bars: [bar(T0), bar(T0 + MINUTE)], truncated: false });
    view.observe(ACME, { value: bar(T0 + 2 * MINUTE, 12), ts: 1 });
    expect(view.forming(ACME)).toEqual(bar(T0 + 2 * MINUTE, 12));
    view.observe(ACME, { value: bar(T0 + 2 * MINUTE, 13), ts: 2, final: true });
    view.observe(ACME, { value: bar(T0 + 3 * MINUTE), ts: 3, final: true });
    expect(view.forming(ACME)).toBeUndefined();
    expect(view.recentFinals(ACME)).toEqual({ bars: [bar(T0 + MINUTE), bar(T0 + 2 * MINUTE, 13), bar(T0 + 3 * MINUTE)], truncated: true });
  });

  it('loads the finals again from the store when a bar moves on without the final it should have received', async () => {
    const { store, view } = viewOf(new MemoryTradeStore(), 10);
    await view.load();
    view.observe(ACME, { value: bar(T0), ts: 1 });
    // The final of T0 was lost on the way; the generator stored it.
    await store.saveBars([{ symbol: 'ACME', resolution: '1', bar: bar(T0, 14) }]);
    view.observe(ACME, { value: bar(T0 + MINUTE), ts: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(view.recentFinals(ACME).bars).toEqual([bar(T0, 14)]);
  });

  it('loads the finals again at its first update: a final may have gone out between the load at start and the subscription', async () => {
    const { store, view } = viewOf(new MemoryTradeStore(), 10);
    await view.load();
    await store.saveBars([{ symbol: 'ACME', resolution: '1', bar: bar(T0) }]);
    view.observe(ACME, { value: bar(T0 + MINUTE), ts: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(view.recentFinals(ACME).bars).toEqual([bar(T0)]);
  });
});
