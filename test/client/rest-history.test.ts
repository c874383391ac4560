import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { httpOriginOf, restHistory } from '../../src/client/rest-history.js';
import type { Bar } from '../../src/domain/bar.js';

const bar: Bar = { time: 60_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };

/** A fetch that records what it was asked and answers `status` with `body`. */
function answering(status: number, body: unknown) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetchFn = (async (url: URL, init?: RequestInit) => {
    calls.push({ url: url.toString(), headers: (init?.headers ?? {}) as Record<string, string> });
    return new Response(JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { calls, fetchFn };
}

describe('restHistory, the loader of gaps the server cannot replay', () => {
  it('asks GET /api/v1/bars on the socket host for [from, to) in ms, with the bearer token when there is one', async () => {
    expect(httpOriginOf('wss://barcast.example:8443/api/v1/ws?x=1')).toBe('https://barcast.example:8443');
    expect(httpOriginOf('ws://127.0.0.1:8000/api/v1/ws')).toBe('http://127.0.0.1:8000');
    const { calls, fetchFn } = answering(200, { symbol: 'AAPL', resolution: '1', bars: [bar, { nonsense: true }] });
    const load = restHistory('http://127.0.0.1:8000', { fetch: fetchFn, token: () => Promise.resolve('t0k') });
    await expect(firstValueFrom(from(load({ symbol: 'AAPL', resolution: '1', from: 1, to: 120_000 })))).resolves.toEqual([bar]);
    expect(calls).toEqual([{ url: 'http://127.0.0.1:8000/api/v1/bars?symbol=AAPL&resolution=1&from=1&to=120000', headers: { authorization: 'Bearer t0k' } }]);
    const anonymous = answering(200, { bars: [] });
    await restHistory('http://127.0.0.1:8000', { fetch: anonymous.fetchFn })({ symbol: 'AAPL', resolution: '1', from: 1, to: 2 });
    expect(anonymous.calls[0]?.headers).toEqual({});
  });

  it("rejects a refused range with the server's message", async () => {
    const { fetchFn } = answering(400, { status: 'error', code: 'RANGE_TOO_LARGE', message: 'the range holds 9000 bars' });
    await expect(restHistory('http://127.0.0.1:8000', { fetch: fetchFn })({ symbol: 'AAPL', resolution: '1', from: 1, to: 2 })).rejects.toThrow(
      'history request failed: the range holds 9000 bars',
    );
    const odd = answering(502, 'bad gateway');
    await expect(restHistory('http://127.0.0.1:8000', { fetch: odd.fetchFn })({ symbol: 'AAPL', resolution: '1', from: 1, to: 2 })).rejects.toThrow('HTTP 502');
  });
});
