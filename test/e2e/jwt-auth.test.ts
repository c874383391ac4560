import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../support/app-events.js';
import { hmacToken, JWT_SECRET, signingKeys, unsignedToken, type SigningKeys } from '../support/jwt.js';
import { memoryLogger } from '../support/memory-logger.js';
import { testApps, isType, TestClient, type ServerMessage } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  afterEach(() => apps.stopAll());

  let dir = '';
  let rsa: SigningKeys;
  let ec: SigningKeys;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'barcast-jwt-'));
    [rsa, ec] = await Promise.all([signingKeys('RS256'), signingKeys('ES256')]);
    await writeFile(join(dir, 'rsa.pem'), rsa.pem);
    await writeFile(join(dir, 'ec.jwks.json'), ec.jwks);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const hmacAuth = { jwtSecret: JWT_SECRET, jwtAudience: 'charts', jwtIssuer: 'https://auth.example.com', jwtClockSkewSeconds: 0 };
  const good = { aud: 'charts', iss: 'https://auth.example.com' };
  const refused = /upgrade refused: HTTP 401/;
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);

  const isResponse = (type: string) => (message: ServerMessage) => message.type === type;

  describe('JWT access', () => {
    it('refuses every kind of bad token with 401 before the WebSocket opens, and logs none of them', async () => {
      const { logger, records } = memoryLogger('trace');
      const { app, wsUrl } = await apps.start({ config: { auth: { ...hmacAuth, jwtKeyFile: join(dir, 'rsa.pem'), maxTokenBytes: 2048 }, log: { level: 'trace' } }, logger });
      const bad = {
        malformed: 'not-a-jwt',
        threeDots: 'a.b.c',
        wrongSignature: await hmacToken(good, { secret: new TextEncoder().encode('another-secret-of-at-least-32-bytes!!') }),
        algNone: unsignedToken(good),
        expired: await hmacToken(good, { expiresInS: -60 }),
        notYetValid: await hmacToken({ ...good, nbf: nowSeconds() + 600 }),
        wrongAudience: await hmacToken({ ...good, aud: 'someone-else' }),
        wrongIssuer: await hmacToken({ ...good, iss: 'https://evil.example.com' }),
        noExpiry: await new SignJWT(good).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JWT_SECRET)),
        badTopics: await hmacToken({ ...good, topics: 'bars:*' }),
        oversized: await hmacToken({ ...good, filler: 'x'.repeat(3000) }),
        // The RSA public key used as an HMAC secret: the classic algorithm confusion.
        rsaKeyAsSecret: await new SignJWT({ ...good, exp: nowSeconds() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(rsa.pem)),
        wrongRsaKey: await (await signingKeys('RS256')).sign(good),
      };
      for (const [kind, token] of Object.entries(bad)) {
        await expect(TestClient.connect(`${wsUrl}?token=${encodeURIComponent(token)}`), `${kind} in the query`).rejects.toThrow(refused);
        await expect(TestClient.connect(wsUrl, { headers: { authorization: `Bearer ${token}` } }), `${kind} in the header`).rejects.toThrow(refused);
      }
      // Subprotocols take token characters only: the base64url ones.
      await expect(TestClient.connect(wsUrl, { protocols: ['barcast.v1', `barcast.bearer.${bad.expired}`] })).rejects.toThrow(refused);
      expect(app.metrics()).toMatchObject({ clients: 0, connections_refused: Object.keys(bad).length * 2 + 1 });

      const token = await hmacToken(good);
      const client = await TestClient.connect(wsUrl, { headers: { authorization: `Bearer ${token}` } });
      client.send({ type: 'auth.refresh', payload: { token: bad.expired } });
      await client.waitFor(isResponse('auth.refresh.response'));
      await client.close();

      const logged = JSON.stringify(records);
      expect(records.some((record) => record.msg === 'upgrade refused')).toBe(true);
      for (const secret of [...Object.values(bad), token, JWT_SECRET]) {
        for (const part of secret.split('.').filter((piece) => piece.length > 8)) expect(logged).not.toContain(part);
      }
    });

    it('accepts an HMAC token from the header, the query or the bearer subprotocol, selecting barcast.v1 and never echoing the token', async () => {
      const { wsUrl } = await apps.start({ config: { auth: hmacAuth } });
      const token = await hmacToken(good);
      const byProtocol = await TestClient.connect(wsUrl, { protocols: ['barcast.v1', `barcast.bearer.${token}`] });
      expect(byProtocol.socket.protocol).toBe('barcast.v1');
      const byQuery = await TestClient.connect(`${wsUrl}?token=${token}`);
      const byHeader = await TestClient.connect(wsUrl, { headers: { authorization: `Bearer ${token}` } });
      byHeader.subscribeBars('AAPL');
      expect((await byHeader.waitFor(isType('bars.subscribe.response'))).payload).toMatchObject({ status: 'ok' });
      await Promise.all([byProtocol.close(), byQuery.close(), byHeader.close()]);
    });

    it('verifies RS256 tokens with a PEM public key and ES256 tokens with a JWKS file', async () => {
      const rsaApp = await apps.start({ config: { auth: { jwtKeyFile: join(dir, 'rsa.pem') } } });
      await (await TestClient.connect(`${rsaApp.wsUrl}?token=${await rsa.sign()}`)).close();
      await expect(TestClient.connect(`${rsaApp.wsUrl}?token=${await ec.sign()}`)).rejects.toThrow(refused);
      const ecApp = await apps.start({ config: { auth: { jwtKeyFile: join(dir, 'ec.jwks.json') } } });
      await (await TestClient.connect(`${ecApp.wsUrl}?token=${await ec.sign()}`)).close();
      await expect(TestClient.connect(`${ecApp.wsUrl}?token=${await rsa.sign()}`)).rejects.toThrow(refused);
    });

    it('keeps static tokens working next to JWTs', async () => {
      const { wsUrl } = await apps.start({ config: { auth: { ...hmacAuth, tokens: ['static-token'] } } });
      await (await TestClient.connect(`${wsUrl}?token=static-token`)).close();
      await (await TestClient.connect(`${wsUrl}?token=${await hmacToken(good)}`)).close();
      await expect(TestClient.connect(`${wsUrl}?token=Static-Token`)).rejects.toThrow(refused);
    });

    it('refuses a subscribe outside the token topics with FORBIDDEN_TOPIC and keeps the connection', async () => {
      const { app, wsUrl } = await apps.start({ config: { auth: hmacAuth, broadcaster: { symbols: ['AAPL', 'MSFT'] } } });
      const client = await TestClient.connect(`${wsUrl}?token=${await hmacToken({ ...good, topics: ['bars:AAPL:*', 'quotes:*'] })}`);
      client.subscribeBars('MSFT');
      const forbidden = await client.waitFor(isType('bars.subscribe.response'));
      expect(forbidden.payload).toMatchObject({ status: 'error', code: 'FORBIDDEN_TOPIC' });
      client.send({ type: 'quotes.subscribe', payload: { symbols: ['MSFT'] } });
      expect((await client.waitFor(isType('quotes.subscribe.response'))).payload).toMatchObject({ status: 'ok' });
      client.subscribeBars('AAPL');
      await client.waitFor((message) => message.type === 'bars.subscribe.response' && message.payload?.['status'] === 'ok');
      await client.waitFor(isType('bars.update'));
      expect(app.metrics().messages_rejected.FORBIDDEN_TOPIC).toBe(1);
      await client.close();
    });

    it('tells a client before its token expires, then closes it with 4001', async () => {
      const { app, wsUrl } = await apps.start({ config: { auth: { ...hmacAuth, expiryWarningSeconds: 2 } } });
      const exp = nowSeconds() + 3;
      const client = await TestClient.connect(`${wsUrl}?token=${await hmacToken({ ...good, exp })}`);
      const closedByAuth = nextEvent(app.events$, 'connection_closed_by_auth', 6_000);
      const expiring = await client.waitFor(isType('auth.expiring'));
      expect(expiring.payload).toEqual({ expiresAt: exp * 1000 });
      expect(Date.now()).toBeLessThan(exp * 1000);
      const closed = await client.closed;
      expect(closed).toEqual({ code: 4001, reason: 'token expired' });
      expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
      expect(await closedByAuth).toMatchObject({ reason: 'expired' });
    });

    it('takes a fresh token in-band (auth.refresh), keeping the subscriptions past the old expiry', async () => {
      const { wsUrl } = await apps.start({ config: { auth: { ...hmacAuth, expiryWarningSeconds: 2 }, broadcaster: { interval: 0.1 } } });
      const exp = nowSeconds() + 3;
      const client = await TestClient.connect(`${wsUrl}?token=${await hmacToken({ ...good, exp })}`);
      client.subscribeBars('AAPL');
      await client.waitFor(isType('auth.expiring'));

      client.send({ type: 'auth.refresh', id: 'r1', payload: { token: await hmacToken(good, { expiresInS: -10 }) } });
      const rejected = await client.waitFor(isResponse('auth.refresh.response'));
      expect(rejected).toMatchObject({ id: 'r1', payload: { status: 'error', code: 'INVALID_TOKEN' } });

      const freshExp = nowSeconds() + 120;
      client.send({ type: 'auth.refresh', id: 7, payload: { token: await hmacToken({ ...good, exp: freshExp }) } });
      const from = client.messages.length;
      const refreshed = await client.waitFor(isResponse('auth.refresh.response'), { from });
      expect(refreshed).toEqual({ type: 'auth.refresh.response', id: 7, payload: { status: 'ok', expiresAt: freshExp * 1000 } });

      // Past the old expiry: still open and still subscribed.
      const afterOldExpiry = client.messages.length;
      await client.waitFor((message) => message.type === 'bars.update' && Date.now() > exp * 1000 + 200, { from: afterOldExpiry, timeoutMs: 6_000 });
      expect(client.socket.readyState).toBe(client.socket.OPEN);
      await client.close();
    });
  });
});
