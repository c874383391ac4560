import type { AccessPolicy } from './access-check.js';
import type { TokenAuthority } from './credential.js';

/**
 * The access policy of a running app. Its authority is replaced as a whole on a reload
 * (SIGHUP), so a check in flight sees either the old tokens or the new ones, never a mix.
 */
export class ReloadableAccessPolicy implements AccessPolicy {
  constructor(
    readonly allowedOrigins: readonly string[],
    private current: TokenAuthority,
  ) {}

  get authority(): TokenAuthority {
    return this.current;
  }

  /** Takes new tokens and keys (the Origin list needs a restart). */
  replace(authority: TokenAuthority): void {
    this.current = authority;
  }
}
