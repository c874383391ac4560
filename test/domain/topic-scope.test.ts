import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern, MAX_SCOPE_PATTERN_LENGTH, MAX_SCOPE_PATTERNS, topicScope } from '../../src/domain/topic-scope.js';

describe('topicScope', () => {
  it('matches patterns with * as any run of characters, case-sensitively', () => {
    const scope = topicScope(['bars:AAPL:*', 'quotes:*', 'bars:*:1D']);
    expect(scope?.('bars:AAPL:1')).toBe(true);
    expect(scope?.('bars:AAPL:1W')).toBe(true);
    expect(scope?.('bars:MSFT:1D')).toBe(true);
    expect(scope?.('quotes:MSFT')).toBe(true);
    expect(scope?.('bars:MSFT:1')).toBe(false);
    expect(scope?.('bars:aapl:1')).toBe(false);
    expect(scope?.('xbars:AAPL:1')).toBe(false);
  });

  it('treats regex characters literally', () => {
    expect(topicScope(['bars:BRK.B:1'])?.('bars:BRKXB:1')).toBe(false);
    expect(topicScope(['bars:BRK.B:1'])?.('bars:BRK.B:1')).toBe(true);
  });

  it('refuses a claim that is not a bounded list of non-empty strings; an empty list allows nothing', () => {
    for (const claim of ['bars:*', [1], [''], ['x'.repeat(MAX_SCOPE_PATTERN_LENGTH + 1)], Array(MAX_SCOPE_PATTERNS + 1).fill('*'), null]) {
      expect(topicScope(claim)).toBeUndefined();
    }
    expect(topicScope([])?.('bars:AAPL:1')).toBe(false);
  });

  it('agrees with an anchored regex on random keys and patterns', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '*'), maxLength: 12 });
    fc.assert(
      fc.property(text.map((key) => key.replace(/\*/g, '')), text, (key, pattern) => {
        // a, b and : are literal in a regex too.
        const regex = new RegExp(`^${pattern.split('*').join('.*')}$`);
        expect(matchesPattern(key, pattern)).toBe(regex.test(key));
      }),
    );
  });

  it('answers a pattern built to backtrack exponentially (a regex would not finish within the test timeout)', () => {
    expect(matchesPattern('a'.repeat(100), `${'*a'.repeat(60)}*b`)).toBe(false);
  });
});
