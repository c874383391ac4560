import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { grantsPublish, publishScope } from '../../domain/publish-scope.js';
import { ANY_TOPIC, topicScope } from '../../domain/topic-scope.js';
import type { Credential, TokenAuthority, TokenCheck, TokenRefusal } from './credential.js';
import type { StaticTokens } from './static-tokens.js';

/** The keys JWTs are verified with (loaded by src/config/jwt-keys.ts); with neither, JWTs are off. */
export interface JwtKeys {
  /** For HS256/HS384/HS512. */
  readonly secret?: Uint8Array;
  /** One public key, or a JWKS whose key a token picks by `kid`/`alg`. */
  readonly publicKey?: KeyObject | JWTVerifyGetKey;
}

export interface TokenVerifierOptions {
  readonly tokens: StaticTokens;
  /** Publisher tokens (PUBLISH_TOKENS): they publish every trade-fed symbol, and are accepted wherever a token is. */
  readonly publishTokens?: StaticTokens;
  readonly jwt: JwtKeys;
  /** Required `aud` / `iss` when non-empty. */
  readonly audience: string;
  readonly issuer: string;
  readonly clockSkewSeconds: number;
  readonly maxTokenBytes: number;
  /** The clock `exp` and `nbf` are checked against. */
  readonly now: () => number;
}

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
const ANONYMOUS: TokenCheck = { ok: true, credential: { kind: 'anonymous' } };

/**
 * Decides whether a presented token is good: a configured static token (constant-time, see
 * static-tokens.ts), else a JWT verified by jose against the configured secret or public
 * key(s). `exp` is required, `nbf`, `aud` and `iss` are checked, with the configured clock
 * skew; `alg: none` and any algorithm that does not fit the key are refused (jose's
 * `algorithms` allow-list, so an RSA public key can never be used as an HMAC secret).
 */
export class TokenVerifier implements TokenAuthority {
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly key: JWTVerifyGetKey | undefined;

  constructor(private readonly options: TokenVerifierOptions) {
    const { secret, publicKey } = options.jwt;
    this.verifyOptions = {
      algorithms: [...(secret ? HMAC_ALGORITHMS : []), ...(publicKey ? PUBLIC_KEY_ALGORITHMS : [])],
      requiredClaims: ['exp'],
      clockTolerance: options.clockSkewSeconds,
      ...(options.audience ? { audience: options.audience } : {}),
      ...(options.issuer ? { issuer: options.issuer } : {}),
    };
    this.key =
      secret || publicKey
        ? async (header, token) => {
            if (header.alg?.startsWith('HS')) {
              if (secret) return secret;
            } else if (typeof publicKey === 'function') {
              return publicKey(header, token);
            } else if (publicKey) {
              return publicKey as never;
            }
            throw new errors.JOSEAlgNotAllowed('no key for this algorithm');
          }
        : undefined;
  }

  get required(): boolean {
    return this.options.tokens.size > 0 || this.key !== undefined;
  }

  async verify(token: string | undefined): Promise<TokenCheck> {
    // With subscribers open to all, a publisher still presents its token: it is matched, the rest is anonymous.
    if (!this.required) return this.publisher(token) ?? ANONYMOUS;
    if (token === undefined || token.length === 0) return refuse('missing');
    if (Buffer.byteLength(token, 'utf8') > this.options.maxTokenBytes) return refuse('oversized');
    const tokenId = this.options.tokens.match(token);
    if (tokenId !== undefined) return { ok: true, credential: { kind: 'static', tokenId } };
    const publisher = this.publisher(token);
    if (publisher) return publisher;
    if (!this.key) return refuse('unknown');
    try {
      const { payload } = await jwtVerify(token, this.key, { ...this.verifyOptions, currentDate: new Date(this.options.now()) });
      const scope = payload['topics'] === undefined ? ANY_TOPIC : topicScope(payload['topics']);
      if (!scope || payload.exp === undefined) return refuse('claims');
      if (!grantsPublish(payload['scope'])) return { ok: true, credential: { kind: 'jwt', expiresAt: payload.exp * 1000, scope } };
      // The publish scope without a valid `publish` claim is a token minted wrong: refused, not silently a subscriber.
      const publishes = publishScope(payload['publish']);
      if (!publishes) return refuse('claims');
      return { ok: true, credential: { kind: 'jwt', expiresAt: payload.exp * 1000, scope, publishes } };
    } catch (error) {
      return refuse(refusalOf(error));
    }
  }

  stillValid(credential: Credential): boolean {
    if (credential.kind !== 'static') return true;
    return credential.publishes === undefined ? this.options.tokens.has(credential.tokenId) : (this.options.publishTokens?.has(credential.tokenId) ?? false);
  }

  private publisher(token: string | undefined): TokenCheck | undefined {
    const { publishTokens, maxTokenBytes } = this.options;
    if (!publishTokens || publishTokens.size === 0 || token === undefined || Buffer.byteLength(token, 'utf8') > maxTokenBytes) return undefined;
    const tokenId = publishTokens.match(token);
    return tokenId === undefined ? undefined : { ok: true, credential: { kind: 'static', tokenId, publishes: '*' } };
  }
}

function refuse(refusal: TokenRefusal): TokenCheck {
  return { ok: false, refusal };
}

function refusalOf(error: unknown): TokenRefusal {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return error.claim === 'nbf' ? 'not_yet_valid' : 'claims';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported || error instanceof errors.JWKSNoMatchingKey) {
    return 'algorithm';
  }
  return 'malformed';
}
