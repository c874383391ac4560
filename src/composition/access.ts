import { loadJwtKeys } from '../config/jwt-keys.js';
import type { Config } from '../config/schema.js';
import { ReloadableAccessPolicy } from '../transport/auth/access-policy.js';
import type { TokenAuthority } from '../transport/auth/credential.js';
import { StaticTokens } from '../transport/auth/static-tokens.js';
import { TokenVerifier } from '../transport/auth/token-verifier.js';

/** Who may connect (Origin, tokens), shared by HTTP and WebSocket; `reload` replaces its tokens. */
export function createAccessPolicy(auth: Config['auth'], now: () => number): ReloadableAccessPolicy {
  return new ReloadableAccessPolicy(auth.allowedOrigins, tokenAuthority(auth, now));
}

/** The static tokens and JWT keys of the auth settings, verifying against `now`. */
export function tokenAuthority(auth: Config['auth'], now: () => number): TokenAuthority {
  return new TokenVerifier({
    tokens: new StaticTokens(auth.tokens),
    jwt: loadJwtKeys(auth),
    audience: auth.jwtAudience,
    issuer: auth.jwtIssuer,
    clockSkewSeconds: auth.jwtClockSkewSeconds,
    maxTokenBytes: auth.maxTokenBytes,
    now,
  });
}
