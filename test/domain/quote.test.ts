import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteError, quoteFromSessionBar } from '../../src/domain/quote.js';

describe('quoteFromSessionBar', () => {
  it('fills every field of a TradingView quote from the session bar', () => {
    const quote = quoteFromSessionBar('AAPL', { time: 0, open: 100, high: 106, low: 99, close: 105, volume: 1234 }, 100);
    expect(quote).toEqual({
      s: 'ok',
      n: 'AAPL',
      v: {
        lp: 105,
        ask: 105.02,
        bid: 104.98,
        spread: 0.04,
        open_price: 100,
        high_price: 106,
        low_price: 99,
        prev_close_price: 100,
        volume: 1234,
        ch: 5,
        chp: 5,
      },
    });
  });

  it('keeps bid <= last <= ask with a spread of at least a cent', () => {
    const price = fc.integer({ min: 1, max: 10_000_000 }).map((cents) => cents / 100);
    fc.assert(
      fc.property(price, price, (close, prevClose) => {
        const quote = quoteFromSessionBar('X', { time: 0, open: close, high: close, low: close, close, volume: 0 }, prevClose);
        if (quote.s !== 'ok') throw new Error('expected an ok quote');
        const { bid, ask, lp, spread } = quote.v;
        expect(bid).toBeLessThanOrEqual(lp);
        expect(ask).toBeGreaterThan(lp);
        expect(spread).toBeGreaterThanOrEqual(0.01);
      }),
    );
  });

  it('reports no change percent against a zero previous close', () => {
    const quote = quoteFromSessionBar('X', { time: 0, open: 1, high: 1, low: 1, close: 1, volume: 0 }, 0);
    expect(quote.s === 'ok' && quote.v.chp).toBe(0);
  });
});

describe('quoteError', () => {
  it('has the TradingView error shape', () => {
    expect(quoteError('NOPE', 'Unknown symbol NOPE')).toEqual({ s: 'error', n: 'NOPE', v: { error: 'Unknown symbol NOPE' } });
  });
});
