import { describe, expect, it } from 'vitest';
import type { BroadcastEventBody } from '../../../src/streams/events.js';
import type { Credential, TokenAuthority, TokenCheck } from '../../../src/transport/auth/credential.js';
import { AuthSession, type AuthOwner } from '../../../src/transport/ws/auth-session.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

class FakeOwner implements AuthOwner {
  readonly replies: unknown[] = [];
  closedWith: [number, string] | undefined;
  isOpen = true;
  sendReply(frame: string): void {
    this.replies.push(JSON.parse(frame));
  }
  closeForAuth(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.isOpen = false;
  }
}

/** Accepts `good` (a JWT expiring at 500) and `static`; refuses anything else. */
const authority: TokenAuthority = {
  required: true,
  verify: (token): Promise<TokenCheck> =>
    Promise.resolve(
      token === 'good'
        ? { ok: true, credential: { kind: 'jwt', expiresAt: 500, scope: () => true } }
        : token === 'static'
          ? { ok: true, credential: { kind: 'static', tokenId: 'id' } }
          : { ok: false, refusal: 'malformed' },
    ),
  stillValid: () => true,
};

function session(credential: Credential) {
  const scheduler = marbleScheduler(vitestEqual);
  const owner = new FakeOwner();
  const events: BroadcastEventBody[] = [];
  const auth = new AuthSession(credential, owner, {
    authority: () => authority,
    timing: { warningMs: 30, skewMs: 10 },
    scheduler,
    emit: (event) => events.push(event),
  });
  return { auth, owner, events, scheduler };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AuthSession', () => {
  it('answers a malformed auth message with a clear error and no state change', async () => {
    const { auth, owner, events } = session({ kind: 'static', tokenId: 'id' });
    auth.receive('auth.refresh', { token: 42 }, 3);
    auth.receive('auth.refresh', undefined);
    auth.receive('auth.login', {}, 4);
    await flush();
    expect(owner.replies).toEqual([
      { type: 'auth.refresh.response', id: 3, payload: expect.objectContaining({ status: 'error', code: 'INVALID_PAYLOAD' }) },
      { type: 'auth.refresh.response', payload: expect.objectContaining({ status: 'error', code: 'INVALID_PAYLOAD' }) },
      { type: 'error', id: 4, payload: expect.objectContaining({ status: 'error', code: 'UNKNOWN_TYPE' }) },
    ]);
    expect(events.map((event) => event.type === 'message_rejected' && event.code)).toEqual(['INVALID_PAYLOAD', 'INVALID_PAYLOAD', 'UNKNOWN_TYPE']);
    expect(auth.current).toEqual({ kind: 'static', tokenId: 'id' });
  });

  it('warns, then closes with 4001 on the scheduler; a refresh to a static token cancels both', async () => {
    const expiring = session({ kind: 'jwt', expiresAt: 100, scope: () => true });
    expiring.scheduler.flush();
    expect(expiring.owner.replies).toEqual([{ type: 'auth.expiring', payload: { expiresAt: 100 } }]);
    expect(expiring.owner.closedWith).toEqual([4001, 'token expired']);
    expect(expiring.events).toContainEqual({ type: 'connection_closed_by_auth', reason: 'expired' });

    const refreshed = session({ kind: 'jwt', expiresAt: 100, scope: () => true });
    refreshed.auth.receive('auth.refresh', { token: 'static' }, 1);
    await flush();
    refreshed.scheduler.flush();
    expect(refreshed.owner.replies).toEqual([{ type: 'auth.refresh.response', id: 1, payload: { status: 'ok' } }]);
    expect(refreshed.owner.closedWith).toBeUndefined();
  });

  it('applies the newest accepted refresh and answers every one, even when an older one finishes later', async () => {
    const { auth, owner } = session({ kind: 'static', tokenId: 'id' });
    auth.receive('auth.refresh', { token: 'good' }, 1);
    auth.receive('auth.refresh', { token: 'bad' }, 2);
    await flush();
    expect(owner.replies).toHaveLength(2);
    expect(owner.replies).toContainEqual({ type: 'auth.refresh.response', id: 1, payload: { status: 'ok', expiresAt: 500 } });
    expect(owner.replies).toContainEqual(expect.objectContaining({ id: 2, payload: expect.objectContaining({ code: 'INVALID_TOKEN' }) }));
    expect(auth.current).toMatchObject({ kind: 'jwt', expiresAt: 500 });
  });
});
