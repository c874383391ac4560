import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historyBars } from '../../../src/domain/history.js';
import { periodIndex, RESOLUTIONS } from '../../../src/domain/resolution.js';
import { HistoryBars } from '../../../src/transport/http/history-bars.js';
import { TurnQueue } from '../../../src/transport/http/turn-queue.js';

const NOW = Date.UTC(2026, 5, 10, 13, 37, 21);

/** A TurnQueue that counts its turns and runs them on the microtask queue (no real loop needed). */
function countingTurns(): { turns: TurnQueue; count: () => number } {
  let count = 0;
  const turns = new TurnQueue((run) => {
    count += 1;
    queueMicrotask(run);
  });
  return { turns, count: () => count };
}

describe('HistoryBars', () => {
  it('returns exactly the domain history, across chunk edges, with and without the cache', async () => {
    const cached = new HistoryBars({ seed: 42, cacheBars: 10_000 });
    const uncached = new HistoryBars({ seed: 42, cacheBars: 0 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...RESOLUTIONS), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 150 }), async (resolution, back, length) => {
        const current = periodIndex(resolution, NOW);
        const range = { first: current - back, end: Math.min(current + 1, current - back + length) };
        const expected = historyBars({ seed: 42, symbol: 'AAPL', resolution }, { first: range.first, end: Math.max(range.first, range.end) }, NOW);
        expect(await cached.bars('AAPL', resolution, range, NOW)).toEqual(expected);
        expect(await uncached.bars('AAPL', resolution, range, NOW)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('serves closed chunks from the cache: a repeated request computes nothing', async () => {
    const { turns, count } = countingTurns();
    const history = new HistoryBars({ seed: 42, cacheBars: 10_000, turns });
    const current = periodIndex('1W', NOW);
    const range = { first: current - 500, end: current - 100 };
    const first = await history.bars('AAPL', '1W', range, NOW);
    const computed = count();
    expect(computed).toBeGreaterThanOrEqual(Math.ceil(400 / 64));
    expect(await history.bars('AAPL', '1W', range, NOW)).toEqual(first);
    expect(count()).toBe(computed);
  });

  it('bounds its cache: past its size the least recently used chunks are computed again', async () => {
    const { turns, count } = countingTurns();
    const history = new HistoryBars({ seed: 42, cacheBars: 128, turns }); // two chunks
    const current = periodIndex('1', NOW);
    const chunk = (index: number) => ({ first: current - 1_000 + index * 64, end: current - 1_000 + index * 64 + 1 });
    await history.bars('AAPL', '1', chunk(0), NOW);
    await history.bars('AAPL', '1', chunk(1), NOW);
    await history.bars('AAPL', '1', chunk(2), NOW); // evicts chunk 0
    const before = count();
    await history.bars('AAPL', '1', chunk(2), NOW);
    expect(count()).toBe(before);
    await history.bars('AAPL', '1', chunk(0), NOW);
    expect(count()).toBe(before + 1);
  });

  it('computes each chunk in a turn of its own', async () => {
    const { turns, count } = countingTurns();
    const history = new HistoryBars({ seed: 42, cacheBars: 0, turns });
    const current = periodIndex('1M', NOW);
    await history.bars('AAPL', '1M', { first: current - 160, end: current }, NOW);
    // 160 months in the chunks of 16 they touch, one turn each
    expect(count()).toBe(Math.floor((current - 1) / 16) - Math.floor((current - 160) / 16) + 1);
  });
});

describe('TurnQueue', () => {
  it('lets one waiter go per deferred callback, in order', async () => {
    const pending: (() => void)[] = [];
    const queue = new TurnQueue((run) => pending.push(run));
    const order: number[] = [];
    const waits = [1, 2, 3].map((id) => queue.turn().then(() => order.push(id)));
    expect(pending).toHaveLength(1);
    pending.shift()?.();
    await Promise.resolve();
    expect(order).toEqual([1]);
    expect(pending).toHaveLength(1);
    pending.shift()?.();
    pending.shift()?.();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
  });
});
