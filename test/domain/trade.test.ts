import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConsistentBar } from '../../src/domain/bar.js';
import { periodStart } from '../../src/domain/resolution.js';
import type { Trade } from '../../src/domain/trade.js';
import { admitTrade, finalAt } from '../../src/domain/trade-admission.js';
import { foldTrade, type TradeBar } from '../../src/domain/trade-bar.js';
import { parseTrade } from '../../src/domain/trade-parse.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const good = { symbol: 'ACME', price: 10.5, size: 3, time: T0, id: 't1' };

function codeOf(value: unknown): string {
  const parsed = parseTrade(value);
  return parsed.ok ? 'ok' : parsed.error.code;
}

describe('parseTrade', () => {
  it('reads a well-formed trade, and an integer id as its decimal string', () => {
    expect(parseTrade(good)).toEqual({ ok: true, trade: good });
    expect(parseTrade({ ...good, id: 42 })).toEqual({ ok: true, trade: { ...good, id: '42' } });
    expect(parseTrade({ symbol: 'ACME', price: 1, size: 0, time: 0 })).toEqual({ ok: true, trade: { symbol: 'ACME', price: 1, size: 0, time: 0 } });
  });

  it('refuses what is not a trade with the code of what is wrong', () => {
    expect(codeOf(null)).toBe('INVALID_TRADE');
    expect(codeOf([good])).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, symbol: 5 })).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, symbol: 'acme' })).toBe('INVALID_SYMBOL');
    expect(codeOf({ ...good, price: '10' })).toBe('INVALID_PRICE');
    expect(codeOf({ ...good, price: 0 })).toBe('INVALID_PRICE');
    expect(codeOf({ ...good, price: -1 })).toBe('INVALID_PRICE');
    expect(codeOf({ ...good, price: Number.NaN })).toBe('INVALID_PRICE');
    expect(codeOf({ ...good, price: Number.POSITIVE_INFINITY })).toBe('INVALID_PRICE');
    expect(codeOf({ ...good, size: -0.5 })).toBe('NEGATIVE_SIZE');
    expect(codeOf({ ...good, size: null })).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, time: 1.5 })).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, time: -1 })).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, time: '2026-01-05' })).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, id: '' })).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, id: 'x'.repeat(129) })).toBe('INVALID_TRADE');
    expect(codeOf({ ...good, id: { toString: 'x' } })).toBe('INVALID_TRADE');
  });

  it('never throws on any JSON value, and what it accepts is a sane trade', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ symbol: fc.string(), price: fc.double(), size: fc.double(), time: fc.double(), id: fc.jsonValue() }, { requiredKeys: [] })), (value) => {
        const parsed = parseTrade(value);
        if (parsed.ok) {
          expect(parsed.trade.price).toBeGreaterThan(0);
          expect(parsed.trade.size).toBeGreaterThanOrEqual(0);
          expect(Number.isSafeInteger(parsed.trade.time)).toBe(true);
        }
      }),
    );
  });
});

describe('admitTrade', () => {
  const rules = { symbols: new Set(['ACME']), latenessMs: 2_000, maxFutureMs: 5_000 };
  const trade: Trade = { symbol: 'ACME', price: 1, size: 1, time: T0 + 30_000 };

  it('takes a trade of a trade-fed symbol inside the window', () => {
    expect(admitTrade(trade, rules, T0 + 30_000)).toBeUndefined();
    expect(admitTrade(trade, rules, T0 + 25_000)).toBeUndefined();
    expect(admitTrade(trade, rules, T0 + 61_999)).toBeUndefined();
  });

  it('refuses an unknown symbol, a trade too far ahead, and one whose minute is final', () => {
    expect(admitTrade({ ...trade, symbol: 'AAPL' }, rules, T0)?.code).toBe('UNKNOWN_SYMBOL');
    expect(admitTrade(trade, rules, T0 + 24_999)?.code).toBe('TRADE_IN_FUTURE');
    expect(admitTrade(trade, rules, T0 + 62_000)?.code).toBe('TRADE_TOO_LATE');
    expect(finalAt(trade.time, rules.latenessMs)).toBe(T0 + 62_000);
  });
});

const arbTrade = fc.record({
  symbol: fc.constant('ACME'),
  price: fc.integer({ min: 1, max: 1_000_000 }).map((cents) => cents / 100),
  size: fc.integer({ min: 0, max: 10_000 }),
  time: fc.integer({ min: T0, max: T0 + 59_999 }),
});

function foldAll(trades: readonly Trade[]): TradeBar | undefined {
  return trades.reduce<TradeBar | undefined>((bar, trade) => foldTrade(bar, trade, periodStart('1', trade.time)), undefined);
}

describe('foldTrade', () => {
  it('opens on the earliest trade and closes on the latest, ties by arrival', () => {
    const at = (time: number, price: number): Trade => ({ symbol: 'ACME', price, size: 1, time });
    const folded = foldAll([at(T0 + 500, 11), at(T0 + 100, 10), at(T0 + 100, 9), at(T0 + 900, 12), at(T0 + 900, 13), at(T0 + 300, 20)]);
    expect(folded?.bar).toEqual({ time: T0, open: 10, high: 20, low: 9, close: 13, volume: 6 });
  });

  it('always satisfies the OHLC invariant', () => {
    fc.assert(
      fc.property(fc.array(arbTrade, { minLength: 1, maxLength: 50 }), (trades) => {
        expect(isConsistentBar(foldAll(trades)?.bar as never)).toBe(true);
      }),
    );
  });

  it('gives high, low and volume independent of arrival order, and open/close by time', () => {
    fc.assert(
      fc.property(
        fc.array(arbTrade, { minLength: 1, maxLength: 50 }).chain((trades) => fc.tuple(fc.constant(trades), fc.shuffledSubarray(trades, { minLength: trades.length }))),
        ([trades, shuffled]) => {
          const a = foldAll(trades)?.bar as never as Record<string, number>;
          const b = foldAll(shuffled)?.bar as never as Record<string, number>;
          expect({ high: b['high'], low: b['low'], time: b['time'] }).toEqual({ high: a['high'], low: a['low'], time: a['time'] });
          expect(b['volume']).toBe(a['volume']);
          // With distinct times, open and close do not depend on arrival either.
          const times = new Set(trades.map((trade) => trade.time));
          if (times.size === trades.length) expect({ open: b['open'], close: b['close'] }).toEqual({ open: a['open'], close: a['close'] });
        },
      ),
    );
  });
});
