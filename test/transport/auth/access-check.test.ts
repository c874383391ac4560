import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkAccess, presentedToken, selectSubprotocol, type AccessPolicy } from '../../../src/transport/auth/access-check.js';
import { StaticTokens } from '../../../src/transport/auth/static-tokens.js';
import { TokenVerifier } from '../../../src/transport/auth/token-verifier.js';

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

function policy(tokens: string[] = [], allowedOrigins: string[] = []): AccessPolicy {
  const authority = new TokenVerifier({
    tokens: new StaticTokens(tokens),
    jwt: {},
    audience: '',
    issuer: '',
    clockSkewSeconds: 0,
    maxTokenBytes: 64,
    now: () => 0,
  });
  return { allowedOrigins, authority };
}

const ws = { requireOrigin: true };
const http = { requireOrigin: false };

describe('checkAccess', () => {
  it('lets anyone in, anonymously, when no allow-list or token is configured', async () => {
    expect(await checkAccess(request('/api/v1/ws'), policy(), ws)).toEqual({ ok: true, credential: { kind: 'anonymous' } });
  });

  it('refuses an Origin off the allow-list with 403; without an Origin, only the WebSocket refuses', async () => {
    const allowList = policy([], ['https://app.example.com']);
    expect(await checkAccess(request('/', { origin: 'https://App.Example.com' }), allowList, ws)).toMatchObject({ ok: true });
    expect(await checkAccess(request('/', { origin: 'https://evil.example.com' }), allowList, ws)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    expect(await checkAccess(request('/', { origin: 'https://evil.example.com' }), allowList, http)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    expect(await checkAccess(request('/'), allowList, ws)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    expect(await checkAccess(request('/'), allowList, http)).toMatchObject({ ok: true });
  });

  it('refuses a missing, wrong, differently cased or oversized token with 401, and accepts a configured one', async () => {
    const tokens = policy(['alpha', 'Beta']);
    expect(await checkAccess(request('/api/v1/ws'), tokens, ws)).toMatchObject({ code: 'UNAUTHORIZED', refusal: 'missing' });
    expect(await checkAccess(request('/?token=gamma'), tokens, ws)).toMatchObject({ code: 'UNAUTHORIZED', refusal: 'unknown' });
    expect(await checkAccess(request('/', { authorization: 'Bearer alph' }), tokens, ws)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await checkAccess(request('/', { authorization: 'Basic YmV0YQ==' }), tokens, ws)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await checkAccess(request('/?token=ALPHA'), tokens, ws)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await checkAccess(request('/?token=beta'), tokens, ws)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await checkAccess(request(`/?token=${'a'.repeat(65)}`), tokens, ws)).toMatchObject({ code: 'UNAUTHORIZED', refusal: 'oversized' });
    expect(await checkAccess(request('/', { authorization: 'bearer Beta' }), tokens, ws)).toMatchObject({ ok: true, credential: { kind: 'static' } });
    expect(await checkAccess(request('/?token=alpha'), tokens, http)).toMatchObject({ ok: true });
  });
});

describe('presentedToken', () => {
  it('prefers the Authorization header, then the bearer subprotocol, then the query parameter', () => {
    const protocols = { 'sec-websocket-protocol': 'barcast.v1, barcast.bearer.proto' };
    expect(presentedToken(request('/?token=query', { authorization: 'Bearer header', ...protocols }))).toBe('header');
    expect(presentedToken(request('/?token=query', protocols))).toBe('proto');
    expect(presentedToken(request('/?token=query'))).toBe('query');
    expect(presentedToken(request('/'))).toBeUndefined();
  });
});

describe('selectSubprotocol', () => {
  it('selects barcast.v1 when offered and never a bearer protocol', () => {
    expect(selectSubprotocol(new Set(['barcast.bearer.secret', 'barcast.v1']))).toBe('barcast.v1');
    expect(selectSubprotocol(new Set(['barcast.bearer.secret']))).toBe(false);
  });
});
