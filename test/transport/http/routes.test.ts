import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../../src/streams/metrics.js';
import { createHttpApp } from '../../../src/transport/http/routes.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(metrics: () => MetricsSnapshot, ready = () => true): Promise<string> {
  const server = createServer(createHttpApp({ metrics, ready, logger: pino({ level: 'silent' }) }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('HTTP routes', () => {
  it('answers 503 on /ready while the instance is not ready', async () => {
    const url = await serve(() => ({}) as MetricsSnapshot, () => false);
    const response = await fetch(`${url}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not_ready' });
  });

  it('hides the cause of a server failure behind a JSON 500', async () => {
    const url = await serve(() => {
      throw new Error('secret detail');
    });
    const response = await fetch(`${url}/api/v1/broadcaster/metrics`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ status: 'error', code: 'INTERNAL_ERROR', message: 'Internal server error' });
  });

  it('passes a client error on as a JSON 4xx with its message', async () => {
    const url = await serve(() => {
      throw Object.assign(new Error('too many requests'), { status: 429 });
    });
    const response = await fetch(`${url}/api/v1/broadcaster/metrics`);
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ status: 'error', code: 'BAD_REQUEST', message: 'too many requests' });
  });

  it('treats a thrown non-error as a server failure', async () => {
    const url = await serve(() => {
      throw 'a string'; // what careless code does
    });
    expect((await fetch(`${url}/api/v1/broadcaster/metrics`)).status).toBe(500);
  });
});
