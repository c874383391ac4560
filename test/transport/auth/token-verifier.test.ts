import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { StaticTokens } from '../../../src/transport/auth/static-tokens.js';
import { TokenVerifier, type JwtKeys } from '../../../src/transport/auth/token-verifier.js';
import { hmacToken, JWT_SECRET, unsignedToken } from '../../support/jwt.js';

const NOW = Date.now();
const secret = new TextEncoder().encode(JWT_SECRET);

function verifier(jwt: JwtKeys = { secret }, tokens: string[] = []): TokenVerifier {
  return new TokenVerifier({ tokens: new StaticTokens(tokens), jwt, audience: 'charts', issuer: '', clockSkewSeconds: 5, maxTokenBytes: 1024, now: () => NOW });
}

const seconds = (offset: number): number => Math.floor(NOW / 1000) + offset;

describe('TokenVerifier', () => {
  it('names why each bad token is refused', async () => {
    const check = verifier();
    const cases: [string, string][] = [
      ['malformed', 'nope'],
      ['malformed', 'a.b.c'],
      ['bad_signature', await hmacToken({ aud: 'charts' }, { secret: new TextEncoder().encode('x'.repeat(40)) })],
      ['algorithm', unsignedToken({ aud: 'charts' })],
      ['expired', await hmacToken({ aud: 'charts', exp: seconds(-6) })],
      ['not_yet_valid', await hmacToken({ aud: 'charts', nbf: seconds(6) })],
      ['claims', await hmacToken({ aud: 'others' })],
      ['claims', await new SignJWT({ aud: 'charts' }).setProtectedHeader({ alg: 'HS256' }).sign(secret)],
      ['claims', await hmacToken({ aud: 'charts', topics: [42] })],
      ['oversized', 'x'.repeat(1025)],
      ['missing', ''],
    ];
    for (const [refusal, token] of cases) expect(await check.verify(token), refusal).toEqual({ ok: false, refusal });
  });

  it('tolerates the configured clock skew on exp and nbf', async () => {
    const check = verifier();
    expect(await check.verify(await hmacToken({ aud: 'charts', exp: seconds(-4) }))).toMatchObject({ ok: true });
    expect(await check.verify(await hmacToken({ aud: 'charts', nbf: seconds(4) }))).toMatchObject({ ok: true });
  });

  it('grants a JWT credential with its expiry in ms and its topic scope', async () => {
    const checked = await verifier().verify(await hmacToken({ aud: 'charts', exp: seconds(60), topics: ['bars:AAPL:*'] }));
    expect(checked).toMatchObject({ ok: true, credential: { kind: 'jwt', expiresAt: seconds(60) * 1000 } });
    const credential = checked.ok ? checked.credential : undefined;
    expect(credential?.kind === 'jwt' && credential.scope('bars:AAPL:1')).toBe(true);
    expect(credential?.kind === 'jwt' && credential.scope('bars:MSFT:1')).toBe(false);
  });

  it('refuses HMAC tokens when only a public key is configured, and everything unknown when only static tokens are', async () => {
    expect(await verifier({}, ['t']).verify(await hmacToken({ aud: 'charts' }))).toEqual({ ok: false, refusal: 'unknown' });
    expect(await verifier({}, ['t']).verify('t')).toMatchObject({ ok: true, credential: { kind: 'static' } });
    expect(verifier({}, []).required).toBe(false);
    expect(await verifier({}, []).verify(undefined)).toEqual({ ok: true, credential: { kind: 'anonymous' } });
  });

  it('keeps a static credential valid only while its token is configured', async () => {
    const checked = await verifier({}, ['keep', 'drop']).verify('drop');
    const credential = checked.ok ? checked.credential : { kind: 'anonymous' as const };
    expect(verifier({}, ['keep', 'drop']).stillValid(credential)).toBe(true);
    expect(verifier({}, ['keep']).stillValid(credential)).toBe(false);
    expect(verifier({}, ['keep']).stillValid({ kind: 'anonymous' })).toBe(true);
  });
});
