import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import { ERRORS } from '../../../src/domain/errors.js';
import { quoteError, quoteFromSessionBar } from '../../../src/domain/quote.js';
import type { BarsTopic } from '../../../src/domain/topic.js';
import { toTradeFedQuote, tradeFedQuote, type TradeFedMinutes } from '../../../src/streams/operators/to-trade-fed-quote.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const TODAY = 20_000 * DAY;
const minute = (time: number, open: number, high: number, low: number, close: number, volume: number): Bar => ({ time, open, high, low, close, volume });

/** The aggregator as the operator sees it: the 1-minute finals it holds and the bar it shows, changed by the test. */
function heldMinutes(finals: Bar[], forming?: Bar): TradeFedMinutes & { forming(topic: BarsTopic): Bar | undefined; finals: Bar[]; shown: Bar | undefined } {
  const held = {
    finals,
    shown: forming,
    isTradeFed: (symbol: string) => symbol === 'ACME',
    recentFinals: (topic: BarsTopic) => ({ bars: topic.resolution === '1' ? held.finals : [], truncated: false }),
    forming: (topic: BarsTopic) => (topic.resolution === '1' ? held.shown : undefined),
  };
  return held;
}

// Yesterday's last minute (its close, 10, is today's previous close), then two of today's.
const yesterday = minute(TODAY - 5 * MINUTE, 9, 10.5, 9, 10, 4);
const early = minute(TODAY + 60 * MINUTE, 11, 12, 10.8, 11.5, 2);
const later = minute(TODAY + 61 * MINUTE, 11.5, 11.6, 11.1, 11.2, 3);

describe('toTradeFedQuote', () => {
  it('quotes the day so far at once from the minutes held, then every live update, against the close before the day', () => {
    const forming = minute(TODAY + 62 * MINUTE, 11.2, 11.4, 11.2, 11.3, 1);
    const grown = { ...forming, high: 13, close: 13, volume: 5 };
    const held = heldMinutes([yesterday, early, later], forming);
    const day = { time: TODAY, open: 11, low: 10.8, volume: 5 };
    marbleScheduler(vitestEqual).run(({ cold, expectObservable, expectSubscriptions }) => {
      // The live topic repeats the forming bar first (a fresh topic does): it is not quoted twice.
      const live$ = cold('a--b--|', { a: forming, b: grown });
      expectObservable(live$.pipe(toTradeFedQuote('ACME', held))).toBe('q--r--|', {
        q: quoteFromSessionBar('ACME', { ...day, high: 12, close: 11.3, volume: 6 }, 10),
        r: quoteFromSessionBar('ACME', { ...day, high: 13, close: 13, volume: 10 }, 10),
      });
      expectSubscriptions(live$.subscriptions).toBe('^-----!');
    });
  });

  it('quotes the last final minute when none is forming, and moves to a new session with the close of the one before', () => {
    const held = heldMinutes([yesterday, early, later]);
    const tomorrow = minute(TODAY + DAY + 3 * MINUTE, 12, 12.2, 11.9, 12.1, 7);
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const live$ = cold('---t|', { t: tomorrow });
      expectObservable(live$.pipe(toTradeFedQuote('ACME', held))).toBe('q--t|', {
        q: quoteFromSessionBar('ACME', { time: TODAY, open: 11, high: 12, low: 10.8, close: 11.2, volume: 5 }, 10),
        t: quoteFromSessionBar('ACME', { ...tomorrow, time: TODAY + DAY }, 11.2),
      });
    });
  });

  it('sends the NO_TRADES_YET error quote before the first trade, then quotes it with its own open as the previous close', () => {
    const held = heldMinutes([]);
    const first = minute(TODAY + 10 * MINUTE, 5, 5, 5, 5, 1);
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      expectObservable(cold('----f|', { f: first }).pipe(toTradeFedQuote('ACME', held))).toBe('e---f|', {
        e: quoteError('ACME', ERRORS.NO_TRADES_YET.message),
        f: quoteFromSessionBar('ACME', { ...first, time: TODAY }, 5),
      });
    });
  });

  it('reads what the aggregator holds when subscribed, not when the operator was made', () => {
    const held = heldMinutes([]);
    const operator = toTradeFedQuote('ACME', held);
    held.finals = [yesterday, early];
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      expectObservable(cold<Bar>('--|').pipe(operator)).toBe('q-|', { q: quoteFromSessionBar('ACME', { ...early, time: TODAY }, 10) });
    });
  });
});

describe('tradeFedQuote', () => {
  it('is the first quote toTradeFedQuote sends, and undefined before the first trade', () => {
    const forming = minute(TODAY + 62 * MINUTE, 11.2, 11.4, 11.2, 11.3, 1);
    const held = heldMinutes([yesterday, early, later], forming);
    let first: unknown;
    marbleScheduler(vitestEqual).run(({ cold }) => {
      cold<Bar>('|').pipe(toTradeFedQuote('ACME', held)).subscribe((quote) => (first ??= quote));
    });
    expect(tradeFedQuote('ACME', held)).toEqual(first);
    expect(tradeFedQuote('ACME', heldMinutes([]))).toBeUndefined();
  });
});
