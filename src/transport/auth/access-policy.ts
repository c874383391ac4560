import { loadJwtKeys } from '../../config/jwt-keys.js';
import type { Config } from '../../config/schema.js';
import type { AccessPolicy } from './access-check.js';
import type { TokenAuthority } from './credential.js';
import { StaticTokens } from './static-tokens.js';
import { TokenVerifier } from './token-verifier.js';

export type AuthSettings = Config['auth'];

/**
 * The access policy of a running app. Its authority is replaced as a whole on a reload
 * (SIGHUP), so a check in flight sees either the old tokens or the new ones, never a mix.
 */
export class ReloadableAccessPolicy implements AccessPolicy {
  private current: TokenAuthority;

  constructor(
    readonly allowedOrigins: readonly string[],
    settings: AuthSettings,
    private readonly now: () => number,
  ) {
    this.current = tokenAuthority(settings, now);
  }

  get authority(): TokenAuthority {
    return this.current;
  }

  /** Takes the tokens and keys of `settings` (the Origin list needs a restart). */
  reload(settings: AuthSettings): void {
    this.current = tokenAuthority(settings, this.now);
  }
}

export function tokenAuthority(settings: AuthSettings, now: () => number): TokenAuthority {
  return new TokenVerifier({
    tokens: new StaticTokens(settings.tokens),
    jwt: loadJwtKeys(settings),
    audience: settings.jwtAudience,
    issuer: settings.jwtIssuer,
    clockSkewSeconds: settings.jwtClockSkewSeconds,
    maxTokenBytes: settings.maxTokenBytes,
    now,
  });
}
