import { of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, type BarcastClient } from '../../src/client/connect.js';
import { createDatafeed, type BarcastDatafeed, type DatafeedSymbolInfo, type HistoryMetadata } from '../../src/client/datafeed.js';
import type { Bar } from '../../src/domain/bar.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
const clients: BarcastClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await apps.stopAll();
});

async function datafeedFor(overrides: Record<string, unknown> = {}): Promise<{ datafeed: BarcastDatafeed; metrics: () => { subscriptions: number } }> {
  const { httpUrl, wsUrl, app } = await apps.start({ config: overrides });
  const client = connect(wsUrl, { WebSocketCtor: WebSocket });
  clients.push(client);
  return { datafeed: createDatafeed({ client, baseUrl: httpUrl }), metrics: () => app.metrics() };
}

/** The library's callbacks as promises. */
const resolve = (datafeed: BarcastDatafeed, name: string) =>
  new Promise<DatafeedSymbolInfo>((done, fail) => datafeed.resolveSymbol(name, done, fail));
const getBars = (datafeed: BarcastDatafeed, info: DatafeedSymbolInfo, resolution: string, from: number, to: number, countBack?: number) =>
  new Promise<{ bars: Bar[]; meta: HistoryMetadata }>((done, fail) =>
    datafeed.getBars(info, resolution, { from, to, firstDataRequest: true, ...(countBack ? { countBack } : {}) }, (bars, meta) => done({ bars, meta }), fail),
  );

describe('createDatafeed, called the way the charting library calls it', () => {
  it('readies, resolves, loads history and ticks live bars that continue it', async () => {
    const { datafeed, metrics } = await datafeedFor();
    const configuration = await new Promise<Record<string, unknown>>((done) => datafeed.onReady(done));
    expect(configuration).toMatchObject({ supported_resolutions: ['1'], supports_search: true });
    const found = await new Promise<unknown[]>((done) => datafeed.searchSymbols('aap', '', '', done));
    expect(found).toEqual([expect.objectContaining({ symbol: 'AAPL' })]);
    const info = await resolve(datafeed, 'AAPL');
    expect(info).toMatchObject({ name: 'AAPL', pricescale: 100 });

    const now = Math.floor(Date.now() / 1000);
    const { bars } = await getBars(datafeed, info, '1', now - 3600, now, 50);
    expect(bars).toHaveLength(50);
    const last = bars[bars.length - 1] as Bar;

    const ticks: Bar[] = [];
    datafeed.subscribeBars(info, '1', (bar) => ticks.push(bar), 'listener-1');
    await expect.poll(() => ticks.length).toBeGreaterThanOrEqual(3);
    for (const [index, tick] of ticks.entries()) {
      expect(tick.time).toBeGreaterThanOrEqual(index === 0 ? last.time : (ticks[index - 1] as Bar).time);
    }
    // UDF history ends with the bar still forming (as UDF servers do): the first live tick
    // updates that bar (same time, same open), or, if it closed meanwhile, is the next one.
    const first = ticks[0] as Bar;
    if (first.time === last.time) expect(first.open).toBe(last.open);
    else expect(first.time).toBe(last.time + 60_000);
    datafeed.unsubscribeBars('listener-1');
    await expect.poll(() => metrics().subscriptions).toBe(0);
  });

  it('reports unknown symbols, bad requests and empty ranges through the right callbacks', async () => {
    const { datafeed } = await datafeedFor();
    await expect(resolve(datafeed, 'NOPE')).rejects.toMatch(/unknown symbol/);
    const info = await resolve(datafeed, 'MSFT');
    await expect(getBars(datafeed, info, '7', 0, 100)).rejects.toMatch(/resolution/);
    const now = Math.floor(Date.now() / 1000);
    const future = await getBars(datafeed, info, '1', now + 3600, now + 7200);
    expect(future).toMatchObject({ bars: [], meta: { noData: true, nextTime: expect.any(Number) } });
  });

  it('never ticks a bar older than the newest one the chart has', async () => {
    const older: Bar = { time: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    const newer: Bar = { ...older, time: 120_000 };
    const client: BarcastClient = { bars$: () => of(newer, older, newer), status$: of('open'), close: () => undefined };
    const datafeed = createDatafeed({ client, baseUrl: 'http://127.0.0.1:9' });
    const ticks: Bar[] = [];
    datafeed.subscribeBars({ name: 'AAPL' }, '1', (bar) => ticks.push(bar), 'a');
    expect(ticks).toEqual([newer, newer]);
    datafeed.unsubscribeBars('a');
  });
});

describe('createDatafeed when the server cannot be reached', () => {
  const unreachable = (() => Promise.reject(new Error('connection refused'))) as unknown as typeof fetch;
  const client: BarcastClient = { bars$: () => of(), status$: of('closed'), close: () => undefined };
  const datafeed = createDatafeed({ client, baseUrl: 'http://127.0.0.1:9', fetch: unreachable });

  it('still readies the chart and answers searches, empty', async () => {
    await expect(new Promise((done) => datafeed.onReady(done))).resolves.toEqual({});
    await expect(new Promise((done) => datafeed.searchSymbols('A', '', '', done))).resolves.toEqual([]);
  });

  it('fails symbol resolution and history through onError', async () => {
    await expect(resolve(datafeed, 'AAPL')).rejects.toBe('connection refused');
    await expect(getBars(datafeed, { name: 'AAPL' }, '1', 0, 60)).rejects.toBe('connection refused');
  });
});
