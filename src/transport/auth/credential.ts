import type { PublishScope } from '../../domain/publish-scope.js';
import type { TopicScope } from '../../domain/topic-scope.js';

/** Who a connection or request is, as far as access control goes. */
export type Credential =
  /** Access control is off: no token is asked for. */
  | { readonly kind: 'anonymous' }
  /**
   * A configured bearer token; `tokenId` is its SHA-256 (the token itself is never kept).
   * A publisher token (PUBLISH_TOKENS) `publishes` every trade-fed symbol; AUTH_TOKENS none.
   */
  | { readonly kind: 'static'; readonly tokenId: string; readonly publishes?: PublishScope }
  /**
   * A verified JWT: when it expires (ms), the topics it may subscribe to, and, with the
   * `publish` scope, the symbols of its `publish` claim.
   */
  | { readonly kind: 'jwt'; readonly expiresAt: number; readonly scope: TopicScope; readonly publishes?: PublishScope };

/** What a credential may publish: nothing unless it carries the right (anonymous never does). */
export function publishScopeOf(credential: Credential): PublishScope | undefined {
  return credential.kind === 'anonymous' ? undefined : credential.publishes;
}

/** Why a token was refused: logged and counted, never sent (a client only hears 401). */
export type TokenRefusal =
  | 'missing'
  | 'oversized'
  | 'unknown'
  | 'malformed'
  | 'bad_signature'
  | 'algorithm'
  | 'expired'
  | 'not_yet_valid'
  | 'claims';

export type TokenCheck = { readonly ok: true; readonly credential: Credential } | { readonly ok: false; readonly refusal: TokenRefusal };

/** What verifies tokens (token-verifier.ts), as the transports see it. */
export interface TokenAuthority {
  /** Whether a token is required at all (tokens or JWT keys are configured). */
  readonly required: boolean;
  verify(token: string | undefined): Promise<TokenCheck>;
  /** Whether a credential granted earlier still holds now (a static token may have been removed). */
  stillValid(credential: Credential): boolean;
}
