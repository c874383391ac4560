import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectOptions } from '../../src/client/connect.js';
import { createDatafeed, type DatafeedSymbolInfo } from '../../src/client/datafeed.js';
import type { TopicState } from '../../src/client/topic-state.js';
import type { Bar } from '../../src/domain/bar.js';
import { clientTracker } from '../support/client-tracker.js';
import { fastClock } from '../support/fast-clock.js';
import { testApps, type TestApp } from '../../src/testing/index.js';

/*
 * The client against the real app, through a real outage: the server stops (its clients see
 * 1001), stays away for three bar periods, and comes back on the same port. The app's clock
 * runs 60 times faster (a 1-minute bar closes every real second), the same clock across the
 * restart, so history and live agree. The series the client ends with is compared with
 * `GET /api/v1/bars` of the restarted server.
 */

const SPEED = 60;
const PERIOD_MS = 60_000;
const REAL_PERIOD_MS = PERIOD_MS / SPEED;
const SETTINGS = { broadcaster: { interval: 2, resolutions: ['1'] } };

const apps = testApps();
const clients = clientTracker();
afterEach(async () => {
  clients.closeAll();
  await apps.stopAll();
});

/** History's bars in [from, to), one request per bar, so a small HISTORY_MAX_BARS serves it too. */
async function history(running: TestApp, from: number, to: number): Promise<Bar[]> {
  const bars: Bar[] = [];
  for (let time = from; time < to; time += PERIOD_MS) {
    const query = new URLSearchParams({ symbol: 'AAPL', resolution: '1', from: String(time), to: String(time + PERIOD_MS) });
    const body = (await (await fetch(`${running.httpUrl}/api/v1/bars?${query}`)).json()) as { bars: Bar[] };
    bars.push(...body.bars);
  }
  return bars;
}

/** The series a chart builds from updates: a bar replaces the one with its time. */
function seriesOf(bars: readonly Bar[]): Bar[] {
  return [...new Map(bars.map((bar) => [bar.time, bar])).values()];
}

/** Stops the app, waits `periods` bar periods, and starts it again on its port with the same clock. */
async function outage(running: TestApp, clock: ReturnType<typeof fastClock>, periods: number, settings: Record<string, unknown> = SETTINGS): Promise<TestApp> {
  await running.stop();
  await sleep(periods * REAL_PERIOD_MS);
  return apps.start({ config: { ...settings, port: running.address.port }, scheduler: clock });
}

/** Waits until the emissions span `count` bar periods. */
async function spanning(bars: readonly Bar[], count: number): Promise<void> {
  await expect.poll(() => new Set(bars.map((bar) => bar.time)).size, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(count);
}

/** A client following AAPL 1 through an outage of three bar periods, until 5 more have passed. */
async function followThroughOutage(settings: Record<string, unknown> = SETTINGS, options: ConnectOptions = {}): Promise<{ after: TestApp; emitted: Bar[]; states: TopicState[] }> {
  const clock = fastClock(SPEED);
  const before = await apps.start({ config: settings, scheduler: clock });
  const barcast = clients.connect(before.wsUrl, { backoff: { baseMs: 20, maxMs: 100 }, ...options });
  const emitted: Bar[] = [];
  const states: TopicState[] = [];
  barcast.bars$('AAPL', '1').subscribe((bar) => emitted.push(bar));
  barcast.state$('AAPL', '1').subscribe((state) => states.push(state));
  await spanning(emitted, 2);
  const after = await outage(before, clock, 3, settings);
  const seen = new Set(emitted.map((bar) => bar.time)).size;
  await spanning(emitted, seen + 5);
  return { after, emitted, states };
}

/** Every bar before the newest one equals history; together they cover every period, once. */
async function expectHistory(running: TestApp, emitted: readonly Bar[]): Promise<void> {
  const times = emitted.map((bar) => bar.time);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  const series = seriesOf(emitted);
  const closed = series.slice(0, -1);
  const first = closed[0]?.time ?? 0;
  const newest = series.at(-1)?.time ?? 0;
  expect(closed.length).toBe((newest - first) / PERIOD_MS);
  expect(closed).toEqual(await history(running, first, newest));
}

describe('the client through a server outage of three bar periods', () => {
  it('ends with exactly the history: no hole, no duplicate, no stale bar', async () => {
    const { after, emitted, states } = await followThroughOutage();
    await expectHistory(after, emitted);
    expect(states.at(-1)).toMatchObject({ phase: 'live', lost: 0 });
    expect(states.map((state) => state.phase)).toContain('resuming');
  }, 30_000);

  it('the datafeed adapter ends with the history too, without asking the chart to reset', async () => {
    const clock = fastClock(SPEED);
    const before = await apps.start({ config: SETTINGS, scheduler: clock });
    const barcast = clients.connect(before.wsUrl, { backoff: { baseMs: 20, maxMs: 100 } });
    const datafeed = createDatafeed({ client: barcast, baseUrl: before.httpUrl });
    const info = await new Promise<DatafeedSymbolInfo>((done, fail) => datafeed.resolveSymbol('AAPL', done, fail));
    const now = Math.floor(clock.now() / 1000);
    const loaded = await new Promise<Bar[]>((done, fail) => datafeed.getBars(info, '1', { from: now - 600, to: now, countBack: 5, firstDataRequest: true }, done, fail));
    const chart: Bar[] = [...loaded];
    let resets = 0;
    datafeed.subscribeBars(info, '1', (bar) => chart.push(bar), 'chart', () => (resets += 1));
    await spanning(chart, loaded.length + 2);
    const after = await outage(before, clock, 3);
    const seen = new Set(chart.map((bar) => bar.time)).size;
    await spanning(chart, seen + 5);
    await expectHistory(after, chart);
    expect(resets).toBe(0);
    datafeed.unsubscribeBars('chart');
  }, 30_000);
});

// Needs main's server side of issue 11 (`since` answered with `recovered: true` and a replay,
// `final` on bar updates): without it the client fills the gap from history itself, so the
// tests above pass on an older server too, but this one, which says the server replayed, cannot.
describe("needs main's server side of issue 11 (resume with since, final bars)", () => {
  it('resumes by server replay: nothing reloaded from history, and since is the last final bar held', async () => {
    const { after, emitted, states } = await followThroughOutage();
    await expectHistory(after, emitted);
    // The server replayed the outage: nothing was reloaded for it (a repair of a lost final may be).
    expect(states.at(-1)).toMatchObject({ phase: 'live', reloads: 0, lost: 0 });
  }, 30_000);

  it('reloads from history, in requests the server accepts, a gap longer than HISTORY_MAX_BARS', async () => {
    const settings = { ...SETTINGS, history: { maxBars: 2 } };
    const { after, emitted, states } = await followThroughOutage(settings, { historyChunkBars: 2 });
    await expectHistory(after, emitted);
    expect(states.at(-1)).toMatchObject({ phase: 'live', reloads: 1, lost: 0 });
  }, 30_000);
});
