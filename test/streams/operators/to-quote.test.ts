import { describe, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import { quoteFromSessionBar } from '../../../src/domain/quote.js';
import { toQuote } from '../../../src/streams/operators/to-quote.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const DAY = 86_400_000;
const day = (index: number, open: number, close: number): Bar => ({
  time: index * DAY,
  open,
  high: Math.max(open, close),
  low: Math.min(open, close),
  close,
  volume: 100,
});

describe('toQuote', () => {
  it('quotes each session bar, taking the previous session close once a new session starts', () => {
    const d1 = day(0, 100, 101);
    const d1b = day(0, 100, 103);
    const d2 = day(1, 103, 99);
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|', { a: d1, b: d1b, c: d2 }).pipe(toQuote('AAPL'))).toBe('a-b-c|', {
        a: quoteFromSessionBar('AAPL', d1, 100),
        b: quoteFromSessionBar('AAPL', d1b, 100),
        c: quoteFromSessionBar('AAPL', d2, 103),
      });
    });
  });

  it('takes the previous close of every session from history when given it, from the first quote on', () => {
    const d1 = day(0, 100, 101);
    const d2 = day(1, 103, 99);
    const historicalClose = (session: Bar): number => 50 + session.time / DAY;
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b|', { a: d1, b: d2 }).pipe(toQuote('AAPL', historicalClose))).toBe('a-b|', {
        a: quoteFromSessionBar('AAPL', d1, 50),
        b: quoteFromSessionBar('AAPL', d2, 51),
      });
    });
  });
});
