import { describe, expect, it } from 'vitest';
import { tickPhase } from '../../src/domain/tick-phase.js';
import { topicTicks } from '../../src/streams/topic-ticks.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const PERIOD = 100;

describe('topicTicks', () => {
  it('leaves each topic its own interval for "per-topic"', () => {
    expect(topicTicks('per-topic', PERIOD, marbleScheduler(vitestEqual)).ticks).toBeUndefined();
  });

  it('ticks every topic at the same instant for "aligned"', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const { ticks } = topicTicks('aligned', PERIOD, scheduler);
      expectObservable(ticks!({ symbol: 'AAPL', resolution: '1' }), '^ 150ms !').toBe('100ms a', { a: 0 });
      expectObservable(ticks!({ symbol: 'MSFT', resolution: '5' }), '^ 150ms !').toBe('100ms a', { a: 0 });
    });
  });

  it('ticks each symbol at its own phase, all its resolutions together, for "spread"', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const aapl = tickPhase('AAPL', PERIOD);
    const msft = tickPhase('MSFT', PERIOD);
    expect(aapl).not.toBe(msft);
    scheduler.run(({ expectObservable }) => {
      const { ticks } = topicTicks('spread', PERIOD, scheduler);
      const window = `^ ${PERIOD - 1}ms !`;
      expectObservable(ticks!({ symbol: 'AAPL', resolution: '1' }), window).toBe(`${aapl}ms a`, { a: 0 });
      expectObservable(ticks!({ symbol: 'AAPL', resolution: '5' }), window).toBe(`${aapl}ms a`, { a: 0 });
      expectObservable(ticks!({ symbol: 'MSFT', resolution: '1' }), window).toBe(`${msft}ms a`, { a: 0 });
    });
  });
});
