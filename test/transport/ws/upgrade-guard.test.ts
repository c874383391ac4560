import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkUpgrade, hasValidToken, presentedToken, type UpgradePolicy } from '../../../src/transport/ws/upgrade-guard.js';

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

const open: UpgradePolicy = { maxConnections: 10, allowedOrigins: [], tokens: [] };

describe('checkUpgrade', () => {
  it('accepts anyone under capacity when no allow-list or token is configured', () => {
    expect(checkUpgrade(request('/api/v1/ws'), 9, open)).toEqual({ ok: true });
  });

  it('refuses with 503 at capacity, before looking at credentials', () => {
    const policy = { ...open, tokens: ['secret'] };
    expect(checkUpgrade(request('/api/v1/ws'), 10, policy)).toMatchObject({ ok: false, status: 503 });
  });

  it('refuses an Origin that is not on the allow-list, and a missing one, with 403', () => {
    const policy = { ...open, allowedOrigins: ['https://app.example.com'] };
    expect(checkUpgrade(request('/', { origin: 'https://App.Example.com' }), 0, policy)).toEqual({ ok: true });
    expect(checkUpgrade(request('/', { origin: 'https://evil.example.com' }), 0, policy)).toMatchObject({ status: 403 });
    expect(checkUpgrade(request('/'), 0, policy)).toMatchObject({ status: 403 });
  });

  it('refuses a missing or wrong token with 401 and accepts a configured one from header or query', () => {
    const policy = { ...open, tokens: ['alpha', 'beta'] };
    expect(checkUpgrade(request('/api/v1/ws'), 0, policy)).toMatchObject({ status: 401 });
    expect(checkUpgrade(request('/api/v1/ws?token=gamma'), 0, policy)).toMatchObject({ status: 401 });
    expect(checkUpgrade(request('/api/v1/ws', { authorization: 'Bearer alph' }), 0, policy)).toMatchObject({ status: 401 });
    expect(checkUpgrade(request('/api/v1/ws', { authorization: 'Basic YmV0YQ==' }), 0, policy)).toMatchObject({ status: 401 });
    expect(checkUpgrade(request('/api/v1/ws', { authorization: 'bearer beta' }), 0, policy)).toEqual({ ok: true });
    expect(checkUpgrade(request('/api/v1/ws?token=alpha'), 0, policy)).toEqual({ ok: true });
  });
});

describe('presentedToken', () => {
  it('prefers the Authorization header over the query parameter', () => {
    expect(presentedToken(request('/?token=query', { authorization: 'Bearer header' }))).toBe('header');
    expect(presentedToken(request('/?token=query'))).toBe('query');
    expect(presentedToken(request('/'))).toBeUndefined();
  });
});

describe('hasValidToken', () => {
  it('matches exactly, whatever the lengths involved', () => {
    expect(hasValidToken('abc', ['abc'])).toBe(true);
    expect(hasValidToken('abcd', ['abc'])).toBe(false);
    expect(hasValidToken('', ['abc'])).toBe(false);
    expect(hasValidToken('x'.repeat(10_000), ['abc', 'x'.repeat(10_000)])).toBe(true);
    expect(hasValidToken(undefined, ['abc'])).toBe(false);
  });
});
