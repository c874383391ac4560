import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

describe('HTTP endpoints', () => {
  it('GET /health answers 200 {"status":"ok"} without x-powered-by, with security headers', async () => {
    const { httpUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('GET /ready answers 200 while running', async () => {
    const { httpUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('GET /api/v1/broadcaster/metrics serves the snapshot with the documented fields', async () => {
    const { httpUrl } = await apps.start({ config: { broadcaster: { interval: 0.25, symbols: ['AAPL'], resolutions: ['1', '5'] } } });
    const response = await fetch(`${httpUrl}/api/v1/broadcaster/metrics`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      is_running: true,
      interval: 0.25,
      symbols: ['AAPL'],
      resolutions: ['1', '5'],
      broadcasts_sent: 0,
      broadcasts_skipped: expect.any(Number),
      messages_sent: 0,
      updates_generated: 0,
      errors: 0,
      active_topics: 0,
      topics: [],
      clients: 0,
      subscriptions: 0,
      connections_refused: 0,
      messages_rejected: {},
      slow_consumers_closed: 0,
      updates_conflated: 0,
      dead_peers_terminated: 0,
    });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { httpUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ status: 'error', code: 'NOT_FOUND', message: 'No route for GET /nope' });
  });

  it('answers a malformed request with JSON, never an HTML stack trace', async () => {
    const { httpUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/health/%E0%A4%A`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ status: 'error' });
    expect(body).not.toMatch(/<html|at .*\.js/i);
  });

  it('refuses WebSocket upgrades on other paths with 404', async () => {
    const { address } = await apps.start();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port: address.port,
        path: '/not-the-socket',
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      request.on('response', (response) => resolve(response.statusCode));
      request.on('upgrade', () => reject(new Error('upgraded on a wrong path')));
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(404);
  });
});
