import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJsonInSlices, SLICE_ITEMS } from '../../../src/transport/http/json-in-slices.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Serves `app` on a real port 0 (closed after the test); resolves with its base URL. */
async function listen(app: express.Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Served {
  readonly url: string;
  /** Turns taken so far, and how the last request's encoding ended. */
  readonly log: { turns: number; outcome: 'running' | 'completed' | 'stopped' };
}

/** A real express app on port 0 whose one route answers `{ symbol, bars: items(count) }` in slices. */
async function serve(item: (index: number) => unknown, turnDelayMs = 0): Promise<Served> {
  const log: Served['log'] = { turns: 0, outcome: 'running' };
  const app = express();
  app.get('/bars', async (request, response) => {
    const items = Array.from({ length: Number(request.query['count']) }, (_unused, index) => item(index));
    const turn = async (): Promise<void> => {
      log.turns += 1;
      await new Promise((resolve) => setTimeout(resolve, turnDelayMs));
    };
    await sendJsonInSlices(response, { symbol: 'AAPL', resolution: '1W' }, { bars: items }, turn);
    log.outcome = response.writableEnded ? 'completed' : 'stopped';
  });
  return { url: await listen(app), log };
}

const bar = (index: number) => ({ time: index * 60_000, open: 1.5, high: 2, low: 1, close: 1.25, volume: index, note: 'q"uote\n' });

describe('sendJsonInSlices', () => {
  it.each([0, 1, SLICE_ITEMS, SLICE_ITEMS + 1, 3 * SLICE_ITEMS + 7])('sends exactly what JSON.stringify would, for %i items', async (count) => {
    const { url, log } = await serve(bar);
    const response = await fetch(`${url}/bars?count=${count}`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const expected = JSON.stringify({ symbol: 'AAPL', resolution: '1W', bars: Array.from({ length: count }, (_unused, index) => bar(index)) });
    expect(await response.text()).toBe(expected);
    // One turn before each slice once the answer is more than one slice; none for a short one.
    expect(log.turns).toBe(count > SLICE_ITEMS ? Math.ceil(count / SLICE_ITEMS) : 0);
    expect(log.outcome).toBe('completed');
  });

  it.each([
    ['an empty head, short', {}, 5],
    ['an empty head, in slices', {}, 2],
    ['columns of numbers (UDF), in slices', { s: 'ok' }, 2],
  ])('sends several lists in order: %s', async (_name, head, sliceItems) => {
    const lists = { t: [1, 2, 3], o: [], c: [4.5, 5.25] };
    let turns = 0;
    const app = express();
    app.get('/', (_request, response) => void sendJsonInSlices(response, head, lists, async () => void (turns += 1), sliceItems));
    const response = await fetch(`${await listen(app)}/`);
    expect(await response.text()).toBe(JSON.stringify({ ...head, ...lists }));
    expect(turns).toBe(sliceItems >= 5 ? 0 : 3);
  });

  it('stops encoding when the reader goes away, and waits for a full socket to drain', async () => {
    // Big items and a slow loop: the socket fills, the reader leaves half way.
    const { url, log } = await serve((index) => ({ index, padding: 'x'.repeat(2_000) }), 5);
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.pause(); // never reads: the server's writes back up
    socket.write(`GET /bars?count=${20 * SLICE_ITEMS} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const turnsWhileFull = log.turns;
    expect(log.outcome).toBe('running');
    // 20 slices of a megabyte each would need 20 turns; a full socket stops it well before.
    expect(turnsWhileFull).toBeGreaterThan(0);
    expect(turnsWhileFull).toBeLessThan(20);
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.turns).toBe(turnsWhileFull);
    expect(log.outcome).toBe('stopped');
  });
});
