import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResolution, RESOLUTIONS } from '../../src/domain/resolution.js';
import { isValidSymbol, MAX_SYMBOL_LENGTH } from '../../src/domain/symbol.js';
import { barsTopicKey, parseBarsTopicKey, parseTopicKey } from '../../src/domain/topic.js';

/** Whatever a client or an operator types reaches these parsers; none may throw or let garbage through. */
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 80 }));

describe('domain parsers under hostile input', () => {
  it('accept a symbol only if it is 1-32 characters of A-Z, 0-9, ".", "_", "-" (never a control character or separator)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const valid = isValidSymbol(text);
        expect(valid).toBe(text.length >= 1 && text.length <= MAX_SYMBOL_LENGTH && /^[A-Z0-9][A-Z0-9._-]*$/.test(text));
        if (valid) expect(text).not.toContain(':');
      }),
    );
  });

  it('parse a resolution only to one of the known spellings', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const resolution = parseResolution(text);
        if (resolution !== undefined) expect(RESOLUTIONS).toContain(resolution);
      }),
    );
    expect(['d', ' W ', 'm'].map(parseResolution)).toEqual(['1D', '1W', '1M']);
  });

  it('parse a bars topic key only if it round-trips to the same key', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.array(anyText, { maxLength: 4 }).map((parts) => ['bars', ...parts].join(':'))), (key) => {
        const parsed = parseBarsTopicKey(key);
        if (parsed) expect(barsTopicKey(parsed.symbol, parsed.resolution)).toBe(key);
        const generic = parseTopicKey(key);
        if (generic) expect([generic.kind, ...generic.parts].join(':')).toBe(key);
      }),
    );
    expect(parseBarsTopicKey('bars:AAPL:1D')).toEqual({ symbol: 'AAPL', resolution: '1D' });
    expect(parseBarsTopicKey('bars:AAPL:D')).toBeUndefined();
    expect(parseTopicKey('bars::1')).toBeUndefined();
  });
});
