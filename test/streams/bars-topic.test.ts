import { describe, expect, it } from 'vitest';
import { parseBarsPayload } from '../../src/streams/bars-topic.js';

const catalog = { symbols: ['AAPL', 'BRK.B'], resolutions: ['1' as const, '1D' as const] };

describe('parseBarsPayload', () => {
  it('accepts the nested and the flat spelling, and defaults the resolution', () => {
    expect(parseBarsPayload({ symbol: 'AAPL', params: { resolution: 'D' } }, catalog)).toEqual({ ok: true, params: { symbol: 'AAPL', resolution: '1D' } });
    expect(parseBarsPayload({ symbol: 'BRK.B', resolution: 1 }, catalog)).toEqual({ ok: true, params: { symbol: 'BRK.B', resolution: '1' } });
    expect(parseBarsPayload({ symbol: 'AAPL' }, catalog)).toEqual({ ok: true, params: { symbol: 'AAPL', resolution: '1' } });
  });

  it.each([
    [null, 'INVALID_PAYLOAD'],
    [[], 'INVALID_PAYLOAD'],
    [{}, 'INVALID_PAYLOAD'],
    [{ symbol: 'aapl' }, 'INVALID_SYMBOL'],
    [{ symbol: 'A'.repeat(40) }, 'INVALID_SYMBOL'],
    [{ symbol: 'AAPL', params: 'x' }, 'INVALID_PAYLOAD'],
    [{ symbol: 'AAPL', params: { resolution: 1.5 } }, 'INVALID_PAYLOAD'],
    [{ symbol: 'AAPL', params: { resolution: 'xxxxxxxxxx' } }, 'INVALID_PAYLOAD'],
    [{ symbol: 'AAPL', params: { resolution: '7' } }, 'INVALID_RESOLUTION'],
    [{ symbol: 'MSFT' }, 'UNKNOWN_SYMBOL'],
    [{ symbol: 'AAPL', params: { resolution: '5' } }, 'UNSUPPORTED_RESOLUTION'],
  ])('refuses %j with %s', (payload, code) => {
    expect(parseBarsPayload(payload, catalog)).toMatchObject({ ok: false, error: { code } });
  });
});
