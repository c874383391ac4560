import { get, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isType, testApps, TestClient } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  afterEach(() => apps.stopAll());

  const refusal = (status: number) => new RegExp(`upgrade refused: HTTP ${status}`);

  describe('access control on the upgrade', () => {
    it('refuses connections past the global maximum with 503 and serves the ones already open', async () => {
      const { app, wsUrl } = await apps.start({ config: { limits: { maxConnections: 2 } } });
      const first = await TestClient.connect(wsUrl);
      const second = await TestClient.connect(wsUrl);
      await expect(TestClient.connect(wsUrl)).rejects.toThrow(refusal(503));
      expect(app.metrics().connections_refused).toBe(1);
      expect(app.metrics().clients).toBe(2);
      first.send({ type: 'ping' });
      await first.waitFor(isType('pong'));
      await Promise.all([first.close(), second.close()]);
    });

    it('allows only the configured Origins (403 otherwise, also without an Origin)', async () => {
      const { app, wsUrl } = await apps.start({ config: { auth: { allowedOrigins: ['https://app.example.com'] } } });
      await expect(TestClient.connect(wsUrl, { origin: 'https://evil.example.com' })).rejects.toThrow(refusal(403));
      await expect(TestClient.connect(wsUrl)).rejects.toThrow(refusal(403));
      const allowed = await TestClient.connect(wsUrl, { origin: 'https://app.example.com' });
      expect(app.metrics()).toMatchObject({ connections_refused: 2, clients: 1 });
      await allowed.close();
    });

    it('with tokens configured, refuses a missing or wrong token with 401 before any WebSocket opens', async () => {
      const { app, wsUrl } = await apps.start({ config: { auth: { tokens: ['s3cret-token'] } } });
      await expect(TestClient.connect(wsUrl)).rejects.toThrow(refusal(401));
      await expect(TestClient.connect(`${wsUrl}?token=wrong`)).rejects.toThrow(refusal(401));
      await expect(TestClient.connect(wsUrl, { headers: { authorization: 'Bearer s3cret-tokenX' } })).rejects.toThrow(refusal(401));
      // Tokens are compared exactly: another case is another token.
      await expect(TestClient.connect(`${wsUrl}?token=S3CRET-TOKEN`)).rejects.toThrow(refusal(401));
      expect(app.metrics()).toMatchObject({ connections_refused: 4, clients: 0 });

      const byHeader = await TestClient.connect(wsUrl, { headers: { authorization: 'Bearer s3cret-token' } });
      const byQuery = await TestClient.connect(`${wsUrl}?token=s3cret-token`);
      byQuery.subscribeBars('AAPL');
      expect((await byQuery.waitFor(isType('bars.subscribe.response'))).payload).toMatchObject({ status: 'ok' });
      await Promise.all([byHeader.close(), byQuery.close()]);
    });

    it('answers a refused upgrade with a JSON body and closes the TCP connection', async () => {
      const { wsUrl } = await apps.start({ config: { auth: { tokens: ['t'] } } });
      const response = await new Promise<{ status: number | undefined; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const request = get(wsUrl.replace(/^ws:/, 'http:'), {
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
        });
        request.once('error', reject);
        request.once('response', (message) => {
          let body = '';
          message.setEncoding('utf8');
          message.on('data', (chunk: string) => (body += chunk));
          message.once('end', () => resolve({ status: message.statusCode, headers: message.headers, body }));
        });
      });
      expect(response.status).toBe(401);
      expect(response.headers.connection).toBe('close');
      expect(JSON.parse(response.body)).toEqual({ status: 'error', message: 'Unauthorized' });
    });
  });

  describe('HTTP security headers', () => {
    it('sends helmet headers and no x-powered-by on every response, 404s included', async () => {
      const { httpUrl } = await apps.start();
      for (const path of ['/health', '/api/v1/broadcaster/metrics', '/no-such-route']) {
        const response = await fetch(`${httpUrl}${path}`);
        expect(response.headers.get('x-powered-by'), path).toBeNull();
        expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(response.headers.get('content-security-policy'), path).toContain("default-src 'self'");
        expect(response.headers.get('strict-transport-security'), path).toContain('max-age=');
        expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      }
    });
  });
});
