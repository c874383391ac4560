import { afterEach, describe, expect, it } from 'vitest';
import { testApps } from '../../src/testing/index.js';
import { hmacToken, JWT_SECRET } from '../support/jwt.js';

const apps = testApps();
afterEach(() => apps.stopAll());

const HISTORY = '/api/v1/bars?symbol=AAPL&resolution=1&countback=2';
const UDF = '/api/v1/udf/history?symbol=AAPL&resolution=1&countback=2&to=2000000000';
const PROTECTED = [HISTORY, UDF, '/api/v1/udf/config', '/metrics', '/api/v1/broadcaster/metrics'];

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return response.status;
}

describe('HTTP access control (history, UDF, metrics)', () => {
  it('with tokens configured, asks for one on history, UDF and metrics, the way the WebSocket does', async () => {
    const { httpUrl } = await apps.start({ config: { auth: { tokens: ['s3cret'] } } });
    for (const path of PROTECTED) {
      const refused = await fetch(`${httpUrl}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate'), path).toBe('Bearer');
      expect(await refused.json(), path).toEqual({ status: 'error', code: 'UNAUTHORIZED', message: 'a valid token is required' });
      expect(await status(`${httpUrl}${path}`, { authorization: 'Bearer S3CRET' }), path).toBe(401);
      expect(await status(`${httpUrl}${path}`, { authorization: 'Bearer s3cret' }), path).toBe(200);
      expect(await status(`${httpUrl}${path}${path.includes('?') ? '&' : '?'}token=s3cret`), path).toBe(200);
    }
    for (const path of ['/health', '/ready', '/']) expect(await status(`${httpUrl}${path}`), path).toBe(200);
  });

  it('takes a JWT as well', async () => {
    const { httpUrl } = await apps.start({ config: { auth: { jwtSecret: JWT_SECRET } } });
    expect(await status(`${httpUrl}${HISTORY}`)).toBe(401);
    expect(await status(`${httpUrl}${HISTORY}`, { authorization: `Bearer ${await hmacToken({}, { expiresInS: -60 })}` })).toBe(401);
    expect(await status(`${httpUrl}${HISTORY}`, { authorization: `Bearer ${await hmacToken()}` })).toBe(200);
  });

  it('refuses a browser Origin off the allow-list with 403 and lets requests without an Origin through', async () => {
    const { httpUrl } = await apps.start({ config: { auth: { allowedOrigins: ['https://app.example.com'] } } });
    for (const path of [HISTORY, UDF]) {
      const refused = await fetch(`${httpUrl}${path}`, { headers: { origin: 'https://evil.example.com' } });
      expect(refused.status, path).toBe(403);
      expect(await refused.json(), path).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
      expect(await status(`${httpUrl}${path}`, { origin: 'https://app.example.com' }), path).toBe(200);
      expect(await status(`${httpUrl}${path}`), path).toBe(200);
    }
  });

  it('answers a CORS preflight from an allowed Origin, so a chart elsewhere may send its token in Authorization', async () => {
    const { httpUrl } = await apps.start({ config: { auth: { tokens: ['s3cret'], allowedOrigins: ['https://app.example.com'] } } });
    const preflight = await fetch(`${httpUrl}${HISTORY}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization');
    const foreign = await fetch(`${httpUrl}${HISTORY}`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the metrics without a token when METRICS_PUBLIC is set, history still asking for one', async () => {
    const { httpUrl } = await apps.start({ config: { auth: { tokens: ['s3cret'], metricsPublic: true } } });
    expect(await status(`${httpUrl}/metrics`)).toBe(200);
    expect(await status(`${httpUrl}/api/v1/broadcaster/metrics`)).toBe(200);
    expect(await status(`${httpUrl}${HISTORY}`)).toBe(401);
  });

  it('leaves everything open while access control is off', async () => {
    const { httpUrl } = await apps.start();
    for (const path of PROTECTED) expect(await status(`${httpUrl}${path}`), path).toBe(200);
  });
});
