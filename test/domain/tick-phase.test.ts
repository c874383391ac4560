import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delayToNextTick, tickPhase } from '../../src/domain/tick-phase.js';

describe('tickPhase', () => {
  it('lies inside the period and is the same for the same symbol', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 32 }), fc.integer({ min: 1, max: 86_400_000 }), (symbol, period) => {
        const phase = tickPhase(symbol, period);
        expect(phase).toBeGreaterThanOrEqual(0);
        expect(phase).toBeLessThan(period);
        expect(Number.isInteger(phase)).toBe(true);
        expect(tickPhase(symbol, period)).toBe(phase);
      }),
    );
  });

  it('spreads different symbols over the period', () => {
    const phases = new Set(['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'TSLA', 'NVDA', 'META', 'NFLX'].map((symbol) => tickPhase(symbol, 1_000)));
    expect(phases.size).toBeGreaterThanOrEqual(7);
  });
});

describe('delayToNextTick', () => {
  it('reaches the next grid instant, at most one period away', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 1, max: 100_000 }), fc.nat(), (now, period, rawPhase) => {
        const phase = rawPhase % period;
        const delay = delayToNextTick(now, period, phase);
        expect(delay).toBeGreaterThan(0);
        expect(delay).toBeLessThanOrEqual(period);
        expect((now + delay - phase) % period).toBe(0);
      }),
    );
  });

  it('waits a whole period when now is on the grid', () => {
    expect(delayToNextTick(130, 100, 30)).toBe(100);
    expect(delayToNextTick(129, 100, 30)).toBe(1);
  });
});
