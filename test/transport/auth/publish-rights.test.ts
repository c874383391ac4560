import { describe, expect, it } from 'vitest';
import { grantsPublish, mayPublish, publishScope } from '../../../src/domain/publish-scope.js';
import { publishScopeOf } from '../../../src/transport/auth/credential.js';
import { StaticTokens } from '../../../src/transport/auth/static-tokens.js';
import { TokenVerifier } from '../../../src/transport/auth/token-verifier.js';
import { hmacToken, JWT_SECRET } from '../../support/jwt.js';

const secret = new TextEncoder().encode(JWT_SECRET);

function verifier({ tokens = [] as string[], publishTokens = [] as string[], jwt = true } = {}): TokenVerifier {
  return new TokenVerifier({
    tokens: new StaticTokens(tokens),
    publishTokens: new StaticTokens(publishTokens),
    jwt: jwt ? { secret } : {},
    audience: '',
    issuer: '',
    clockSkewSeconds: 5,
    maxTokenBytes: 1024,
    now: () => Date.now(),
  });
}

async function scopeOf(check: TokenVerifier, token: string | undefined): Promise<unknown> {
  const verdict = await check.verify(token);
  if (!verdict.ok) return verdict.refusal;
  const scope = publishScopeOf(verdict.credential);
  return scope === undefined ? 'none' : scope === '*' ? '*' : [...scope];
}

describe('publish rights', () => {
  it('reads a publish claim: "*", or a list of valid symbols; anything else is no claim', () => {
    expect(publishScope('*')).toBe('*');
    expect([...(publishScope(['ACME', 'BTC-USD']) as Set<string>)]).toEqual(['ACME', 'BTC-USD']);
    for (const bad of ['ACME', ['acme'], [1], {}, null, Array.from({ length: 1_025 }, () => 'A')]) expect(publishScope(bad)).toBeUndefined();
    expect(grantsPublish('read publish')).toBe(true);
    expect(grantsPublish('publisher')).toBe(false);
    expect(grantsPublish(['publish'])).toBe(false);
    expect(mayPublish(new Set(['ACME']), 'ACME')).toBe(true);
    expect(mayPublish(new Set(['ACME']), 'BETA')).toBe(false);
    expect(mayPublish(undefined, 'ACME')).toBe(false);
  });

  it('grants them to publisher tokens and publish-scoped JWTs only, never to a subscriber, with or without access control', async () => {
    const open = verifier({ publishTokens: ['pub'], jwt: false });
    expect(await scopeOf(open, undefined)).toBe('none');
    expect(await scopeOf(open, 'not-a-publisher')).toBe('none');
    expect(await scopeOf(open, 'pub')).toBe('*');

    const closed = verifier({ tokens: ['sub'], publishTokens: ['pub'] });
    expect(await scopeOf(closed, 'sub')).toBe('none');
    expect(await scopeOf(closed, 'pub')).toBe('*');
    expect(await scopeOf(closed, 'nope')).toBe('malformed');
    expect(await scopeOf(closed, await hmacToken({ publish: ['ACME'] }))).toBe('none');
    expect(await scopeOf(closed, await hmacToken({ scope: 'publish', publish: ['ACME'] }))).toEqual(['ACME']);
    expect(await scopeOf(closed, await hmacToken({ scope: 'publish' }))).toBe('claims');
  });

  it('revokes a publisher token that a reload removed, and keeps subscriber tokens apart', async () => {
    const before = verifier({ tokens: ['sub'], publishTokens: ['pub'] });
    const publisher = await before.verify('pub');
    const subscriber = await before.verify('sub');
    if (!publisher.ok || !subscriber.ok) throw new Error('both tokens are configured');
    const after = verifier({ tokens: ['sub'], publishTokens: [] });
    expect({ publisher: after.stillValid(publisher.credential), subscriber: after.stillValid(subscriber.credential) }).toEqual({ publisher: false, subscriber: true });
    // The same string as a subscriber token after a reload does not keep the publish right.
    const moved = verifier({ tokens: ['pub'] });
    expect(moved.stillValid(publisher.credential)).toBe(false);
  });
});
