import { describe, expect, it } from 'vitest';
import { parseBarsPayload } from '../../src/streams/bars-payload.js';

const catalog = { symbols: ['AAPL', 'BRK.B'], resolutions: ['1' as const, '1D' as const] };

describe('parseBarsPayload', () => {
  it('accepts a symbol the way UDF does (any case, the BARCAST: prefix), and names the topic in the one spelling', () => {
    for (const symbol of ['AAPL', 'aapl', ' Aapl ', 'BARCAST:AAPL', 'barcast:aapl']) {
      expect(parseBarsPayload({ symbol }, catalog)).toEqual({ ok: true, params: { symbol: 'AAPL', resolution: '1' } });
    }
    expect(parseBarsPayload({ symbol: 'brk.b', params: { resolution: 'd' } }, catalog)).toEqual({ ok: true, params: { symbol: 'BRK.B', resolution: '1D' } });
  });

  it("refuses another exchange's prefix and what is not a symbol at all, as UDF does", () => {
    for (const symbol of ['NASDAQ:AAPL', 'AA PL', '', 'A'.repeat(33), 'BARCAST:']) {
      expect(parseBarsPayload({ symbol }, catalog)).toMatchObject({ ok: false, error: { code: 'INVALID_SYMBOL' } });
    }
    expect(parseBarsPayload({ symbol: 'msft' }, catalog)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SYMBOL' } });
  });
});
