import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StaticTokens } from '../../../src/transport/auth/static-tokens.js';

/** timingSafeEqual that counts its calls. */
function countingEquals(): { equals: (a: Buffer, b: Buffer) => boolean; calls: () => number } {
  let calls = 0;
  return {
    equals: (a, b) => {
      calls++;
      return timingSafeEqual(a, b);
    },
    calls: () => calls,
  };
}

describe('StaticTokens', () => {
  it('matches exactly, case included, whatever the lengths involved', () => {
    const tokens = new StaticTokens(['abc', 'x'.repeat(10_000), 'MiXeD']);
    expect(tokens.match('abc')).toBeDefined();
    expect(tokens.match('x'.repeat(10_000))).toBeDefined();
    expect(tokens.match('MiXeD')).toBeDefined();
    expect(tokens.match('ABC')).toBeUndefined();
    expect(tokens.match('mixed')).toBeUndefined();
    expect(tokens.match('abcd')).toBeUndefined();
    expect(tokens.match('')).toBeUndefined();
  });

  it('compares the candidate with every configured token, whether it matches the first, the last or none (constant time)', () => {
    for (const candidate of ['first', 'middle', 'last', 'none']) {
      const counter = countingEquals();
      const tokens = new StaticTokens(['first', 'middle', 'last'], counter.equals);
      tokens.match(candidate);
      expect(counter.calls(), candidate).toBe(3);
    }
  });

  it('names the matched token by an id that is not the token, and knows whether it is still configured', () => {
    const tokens = new StaticTokens(['alpha', 'beta']);
    const id = tokens.match('beta');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain('beta');
    expect(tokens.has(id ?? '')).toBe(true);
    expect(new StaticTokens(['alpha']).has(id ?? '')).toBe(false);
    expect(tokens.match('alpha')).not.toBe(id);
  });
});
