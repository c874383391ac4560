import { loadJwtKeys } from '../config/jwt-keys.js';
import type { Config } from '../config/schema.js';
import { ReloadableAccessPolicy } from '../transport/auth/access-policy.js';
import type { TokenAuthority } from '../transport/auth/credential.js';
import { StaticTokens } from '../transport/auth/static-tokens.js';
import { TokenVerifier } from '../transport/auth/token-verifier.js';

/** Who may connect (Origin, tokens), shared by HTTP and WebSocket; `reload` replaces its tokens. */
export function createAccessPolicy(config: Pick<Config, 'auth' | 'ingest'>, now: () => number): ReloadableAccessPolicy {
  return new ReloadableAccessPolicy(config.auth.allowedOrigins, tokenAuthority(config, now));
}

/** The static tokens, publisher tokens and JWT keys of the settings, verifying against `now`. */
export function tokenAuthority({ auth, ingest }: Pick<Config, 'auth' | 'ingest'>, now: () => number): TokenAuthority {
  return new TokenVerifier({
    tokens: new StaticTokens(auth.tokens),
    publishTokens: new StaticTokens(ingest.publishTokens),
    jwt: loadJwtKeys(auth),
    audience: auth.jwtAudience,
    issuer: auth.jwtIssuer,
    clockSkewSeconds: auth.jwtClockSkewSeconds,
    maxTokenBytes: auth.maxTokenBytes,
    now,
  });
}
