import { describe, expect, it } from 'vitest';
import { parseTradeCsvHeader, parseTradeCsvLine, splitCsvLine, type TradeColumns } from '../../src/import/trade-csv.js';

const columns = (header: string): TradeColumns => {
  const parsed = parseTradeCsvHeader(header);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.columns;
};

describe('the trade CSV', () => {
  it('takes the columns in any order from the header, case-insensitively, id optional, others ignored', () => {
    expect(columns('symbol,price,size,time')).toEqual({ symbol: 0, price: 1, size: 2, time: 3, id: undefined });
    expect(columns('\uFEFFTime, ID ,venue,Symbol,size,price')).toEqual({ symbol: 3, price: 5, size: 4, time: 0, id: 1 });
  });

  it('refuses a header without a required column, naming what is missing', () => {
    expect(parseTradeCsvHeader('symbol,price,time')).toEqual({ ok: false, reason: expect.stringMatching(/missing: size/) });
    expect(parseTradeCsvHeader('AAPL,1.5,10,1767623400000')).toEqual({ ok: false, reason: expect.stringMatching(/missing: symbol, price, size, time/) });
  });

  it('reads a trade with epoch milliseconds or an ISO date-time with a zone', () => {
    const c = columns('symbol,price,size,time,id');
    expect(parseTradeCsvLine('AAPL,189.5,100,1767623400250,t-1', c)).toEqual({ ok: true, trade: { symbol: 'AAPL', price: 189.5, size: 100, time: 1767623400250, id: 't-1' } });
    expect(parseTradeCsvLine('AAPL,1e2,0.5,2026-01-05T14:30:00.250Z,', c)).toEqual({ ok: true, trade: { symbol: 'AAPL', price: 100, size: 0.5, time: Date.UTC(2026, 0, 5, 14, 30, 0, 250) } });
    expect(parseTradeCsvLine('AAPL,1,1,2026-01-05 15:30:00+01:00', c)).toMatchObject({ ok: true, trade: { time: Date.UTC(2026, 0, 5, 14, 30) } });
  });

  it('reads quoted fields, with "" for a quote', () => {
    expect(splitCsvLine('"A,B",1,"say ""hi""",')).toEqual(['A,B', '1', 'say "hi"', '']);
    expect(splitCsvLine('"open')).toBeUndefined();
    const c = columns('symbol,price,size,time,id');
    expect(parseTradeCsvLine('"MSFT","1.25","3","1000","id,with,commas"', c)).toMatchObject({ ok: true, trade: { symbol: 'MSFT', id: 'id,with,commas' } });
  });

  it.each([
    ['AAPL,,1,1000', 'INVALID_PRICE', /price "" is not a number/],
    ['AAPL,abc,1,1000', 'INVALID_PRICE', /price "abc"/],
    ['AAPL,0,1,1000', 'INVALID_PRICE', /above zero/],
    ['AAPL,1,-2,1000', 'NEGATIVE_SIZE', /negative/],
    ['AAPL,1,x,1000', 'INVALID_TRADE', /size "x"/],
    ['AAPL,1,1,yesterday', 'INVALID_TRADE', /time "yesterday"/],
    ['AAPL,1,1,2026-01-05T14:30:00', 'INVALID_TRADE', /with a zone/],
    ['aapl lower,1,1,1000', 'INVALID_SYMBOL', /symbol/],
    [',1,1,1000', 'INVALID_SYMBOL', /symbol/],
    ['AAPL,1,1', 'INVALID_TRADE', /time ""/],
    ['"AAPL,1,1,1000', 'INVALID_TRADE', /not valid CSV/],
  ])('refuses %j as %s', (line, code, message) => {
    const parsed = parseTradeCsvLine(line, columns('symbol,price,size,time'));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.message).toMatch(message);
    }
  });
});
