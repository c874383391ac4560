import type { SchedulerLike, Subscription } from 'rxjs';
import { closeCodeOf, ERRORS, requestError, type RequestError } from '../../domain/errors.js';
import type { EmitEvent } from '../../streams/events.js';
import type { Credential, TokenAuthority } from '../auth/credential.js';
import type { RequestId } from './protocol.js';
import { expiryNotices, type ExpiryTiming } from './auth-expiry.js';

/** Client -> server: a fresh token for this connection. */
export const AUTH_REFRESH = 'auth.refresh';

/** What every auth session of a gateway shares (one object for all). */
export interface AuthContext {
  /** Read at each use: a SIGHUP reload replaces it. */
  readonly authority: () => TokenAuthority;
  readonly timing: ExpiryTiming;
  readonly scheduler: SchedulerLike;
  readonly emit: EmitEvent;
}

/** The connection an auth session speaks through. */
export interface AuthOwner {
  /** Sends a reply frame now (never conflated). */
  sendReply(frame: string): void;
  /** Closes the socket (the session's token expired). */
  closeForAuth(code: number, reason: string): void;
  readonly isOpen: boolean;
}

/**
 * The access-control side of one connection: the credential it presented (at the upgrade,
 * or since in an `auth.refresh`), the topics that credential may subscribe to, and for a JWT
 * its expiry: `auth.expiring` before `exp`, close with 4001 once `exp` (plus the clock skew)
 * has passed without a refresh. A refresh swaps the credential and keeps every subscription.
 */
export class AuthSession {
  private expiry: Subscription | undefined;
  /** Refreshes received, and the latest one whose token was applied: an older one finishing later is answered, not applied. */
  private refreshes = 0;
  private applied = 0;

  constructor(
    private credential: Credential,
    private readonly owner: AuthOwner,
    private readonly context: AuthContext,
  ) {
    this.watchExpiry();
  }

  get current(): Credential {
    return this.credential;
  }

  /** Whether the connection may subscribe to the topic `key` (a JWT's `topics` claim). */
  allows(key: string): boolean {
    return this.credential.kind !== 'jwt' || this.credential.scope(key);
  }

  /** An `auth.*` message from the client (its `id` already checked by protocol.ts). */
  receive(type: string, payload: unknown, id?: RequestId): void {
    if (type !== AUTH_REFRESH) {
      this.context.emit({ type: 'message_rejected', code: 'UNKNOWN_TYPE' });
      this.owner.sendReply(JSON.stringify({ type: 'error', ...idField(id), payload: errorPayload(requestError('UNKNOWN_TYPE', `unknown message type "${type.slice(0, 64)}"`)) }));
      return;
    }
    const token = typeof payload === 'object' && payload !== null ? (payload as { token?: unknown }).token : undefined;
    if (typeof token !== 'string') {
      this.reject(type, id, requestError('INVALID_PAYLOAD', 'auth.refresh needs payload.token, a string'));
      return;
    }
    void this.refresh(token, id);
  }

  /** Stops the expiry timers; the socket has closed. */
  close(): void {
    this.expiry?.unsubscribe();
    this.expiry = undefined;
  }

  private async refresh(token: string, id: RequestId | undefined): Promise<void> {
    const attempt = ++this.refreshes;
    const checked = await this.context.authority().verify(token);
    if (!this.owner.isOpen) return;
    this.context.emit({ type: 'token_refreshed', ok: checked.ok });
    if (!checked.ok) {
      this.reject(AUTH_REFRESH, id, requestError('INVALID_TOKEN', 'the token was refused; the connection keeps its current one'));
      return;
    }
    if (attempt > this.applied) {
      this.applied = attempt;
      this.credential = checked.credential;
      this.watchExpiry();
    }
    const expiresAt = checked.credential.kind === 'jwt' ? { expiresAt: checked.credential.expiresAt } : {};
    this.owner.sendReply(JSON.stringify({ type: `${AUTH_REFRESH}.response`, ...idField(id), payload: { status: 'ok', ...expiresAt } }));
  }

  private watchExpiry(): void {
    this.close();
    const credential = this.credential;
    if (credential.kind !== 'jwt') return;
    this.expiry = expiryNotices(credential.expiresAt, this.context.timing, this.context.scheduler).subscribe((notice) => {
      if (notice === 'expiring') {
        this.owner.sendReply(JSON.stringify({ type: 'auth.expiring', payload: { expiresAt: credential.expiresAt } }));
        return;
      }
      this.context.emit({ type: 'connection_closed_by_auth', reason: 'expired' });
      this.owner.closeForAuth(closeCodeOf('TOKEN_EXPIRED'), ERRORS.TOKEN_EXPIRED.message);
    });
  }

  private reject(type: string, id: RequestId | undefined, error: RequestError): void {
    this.context.emit({ type: 'message_rejected', code: error.code });
    this.owner.sendReply(JSON.stringify({ type: `${type}.response`, ...idField(id), payload: errorPayload(error) }));
  }
}

function idField(id: RequestId | undefined): { id?: RequestId } {
  return id === undefined ? {} : { id };
}

function errorPayload(error: RequestError): Readonly<Record<string, unknown>> {
  return { status: 'error', code: error.code, message: error.message };
}
