import { describe, expect, it } from 'vitest';
import { isValidSymbol, normaliseSymbol } from '../../src/domain/symbol.js';
import { barsTopicKey, parseBarsTopicKey, parseTopicKey, topicKey } from '../../src/domain/topic.js';

describe('topic keys', () => {
  it('builds and parses bars:SYMBOL:RESOLUTION with one pair of functions', () => {
    expect(barsTopicKey('AAPL', '1')).toBe('bars:AAPL:1');
    expect(barsTopicKey('BRK.B', '1D')).toBe('bars:BRK.B:1D');
    expect(parseBarsTopicKey('bars:AAPL:1')).toEqual({ symbol: 'AAPL', resolution: '1' });
    expect(parseBarsTopicKey(barsTopicKey('MSFT', '1W'))).toEqual({ symbol: 'MSFT', resolution: '1W' });
  });

  it('rejects keys that are not canonical bars topics', () => {
    for (const key of ['bars:AAPL', 'bars:AAPL:D', 'bars:aapl:1', 'quotes:AAPL:1', 'bars:AAPL:1:x', 'bars::1', '', 'bars:AAPL:7']) {
      expect(parseBarsTopicKey(key), key).toBeUndefined();
    }
  });

  it('parses any kind of key into kind and parts', () => {
    expect(topicKey('quotes', 'AAPL')).toBe('quotes:AAPL');
    expect(parseTopicKey('quotes:AAPL')).toEqual({ kind: 'quotes', parts: ['AAPL'] });
    expect(parseTopicKey('quotes')).toBeUndefined();
    expect(parseTopicKey('quotes::')).toBeUndefined();
  });
});

describe('symbols', () => {
  it('accepts tickers and rejects everything else', () => {
    for (const symbol of ['AAPL', 'BRK.B', 'BTC-USD', 'ES_F', '7203', 'A'.repeat(32)]) expect(isValidSymbol(symbol), symbol).toBe(true);
    for (const symbol of ['', 'aapl', 'A'.repeat(33), 'AA PL', 'AAPL:1', '.A', 'A\u0000', 'ÄAPL', '__proto__']) {
      expect(isValidSymbol(symbol), symbol).toBe(false);
    }
  });
});

describe('normaliseSymbol', () => {
  it('accepts what UDF sends and gives the one spelling topic keys use', () => {
    for (const spelling of ['AAPL', 'aapl', ' AAPL ', 'BARCAST:AAPL', 'barcast:aapl']) expect(normaliseSymbol(spelling), spelling).toBe('AAPL');
    expect(normaliseSymbol('brk.b')).toBe('BRK.B');
  });

  it('refuses another exchange, an empty ticker and anything that is no symbol', () => {
    for (const spelling of ['NASDAQ:AAPL', 'BARCAST:', ':AAPL', '', 'AA PL', 'a:b:c', 'X'.repeat(33), `BARCAST:${'X'.repeat(33)}`]) {
      expect(normaliseSymbol(spelling), JSON.stringify(spelling)).toBeUndefined();
    }
  });
});
