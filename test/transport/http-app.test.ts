import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/streams/metrics.js';
import { createHttpApp, type HttpDependencies } from '../../src/transport/http/http-app.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(overrides: Partial<HttpDependencies>): Promise<string> {
  const logged: unknown[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(line) });
  const app = createHttpApp({ metrics: () => ({}) as MetricsSnapshot, ready: () => ({ ready: true }), logger, ...overrides });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('HTTP routes', () => {
  it('GET /ready answers 503 while the instance is not ready, /health stays 200', async () => {
    const url = await serve({ ready: () => ({ ready: false, reason: 'redis unreachable' }) });
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not_ready', reason: 'redis unreachable' });
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('turns a failing handler into a JSON 500 without internals', async () => {
    const url = await serve({
      metrics: () => {
        throw new Error('secret internals at /somewhere/file.js');
      },
    });
    const response = await fetch(`${url}/api/v1/broadcaster/metrics`);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ status: 'error', code: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(body).not.toContain('secret');
  });

  it('keeps the 4xx status of a client error and says what was wrong', async () => {
    const url = await serve({
      metrics: () => {
        throw Object.assign(new Error('request entity too large'), { status: 413 });
      },
    });
    const response = await fetch(`${url}/api/v1/broadcaster/metrics`);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ status: 'error', code: 'BAD_REQUEST', message: 'request entity too large' });
  });
});
