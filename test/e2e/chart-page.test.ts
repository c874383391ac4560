import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser.js';
import { bundleClient } from '../../scripts/bundle-client.mjs';
import type { Bar } from '../../src/domain/bar.js';
import { fastClock } from '../support/fast-clock.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
let browser: Browser;
beforeAll(async () => {
  // The page imports the client as `npm run build` bundles it; build it the same way.
  await bundleClient();
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());
afterEach(() => apps.stopAll());

interface PageState {
  readonly status: string;
  readonly historyBars: number;
  readonly updates: number;
  readonly candles: number;
  readonly last: { time: number; close: number; volume: number } | undefined;
}

describe('the live chart page, in Chromium', () => {
  it('draws the history, then live candles continuing it, with status and metrics', async () => {
    const { httpUrl } = await apps.start({ config: { broadcaster: { interval: 0.1, resolutions: ['1', '5'] } } });
    const page = await browser.newPage({ viewport: { width: 1100, height: 600 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    try {
      await page.goto(`${httpUrl}/?symbol=MSFT&resolution=1`);
      const read = (): Promise<PageState> =>
        page.evaluate(() => {
          const state = (window as unknown as { barcast: { status: string; historyBars: number; updates: number; candles: () => unknown[]; lastBar: PageState['last'] } }).barcast;
          return { status: state.status, historyBars: state.historyBars, updates: state.updates, candles: state.candles().length, last: state.lastBar };
        });
      await page.waitForFunction(() => ((window as unknown as { barcast?: { updates: number } }).barcast?.updates ?? 0) >= 1, undefined, { timeout: 15_000 });
      const first = await read();
      expect(first.status).toBe('open');
      expect(first.historyBars).toBe(300);
      // history plus the live bar that continues it
      expect(first.candles).toBe(301);

      await page.waitForFunction((seen) => (window as unknown as { barcast: { updates: number } }).barcast.updates >= seen + 3, first.updates, { timeout: 15_000 });
      const later = await read();
      expect(later.last?.time).toBeGreaterThanOrEqual(first.last?.time ?? Infinity);
      expect(later.last?.volume).not.toBe(first.last?.volume);

      await expect.poll(() => page.locator('#metrics dd').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await page.locator('#symbol').inputValue()).toBe('MSFT');
      expect(await page.locator('#resolution option').allTextContents()).toEqual(['1', '5']);
      expect(await page.locator('#status').textContent()).toBe('open');
      expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'chart-page.png') });

      await page.selectOption('#resolution', '5');
      await page.waitForFunction(() => (window as unknown as { barcast: { topic: { key: string }; updates: number } }).barcast.topic.key === 'bars:MSFT:5', undefined, { timeout: 10_000 });
      await page.waitForFunction(() => (window as unknown as { barcast: { updates: number } }).barcast.updates >= 1, undefined, { timeout: 10_000 });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('after a forced disconnect of three bar periods, shows exactly the history', async () => {
    // The app's clock runs 60x (a 1-minute bar per real second), the same clock across the restart.
    const clock = fastClock(60);
    const settings = { broadcaster: { interval: 2, resolutions: ['1'] } };
    const before = await apps.start({ config: settings, scheduler: clock });
    const page = await browser.newPage();
    const problems = watchProblems(page);
    try {
      await page.goto(`${before.httpUrl}/?symbol=AAPL&resolution=1`);
      await page.waitForFunction(() => ((window as unknown as { barcast?: { updates: number } }).barcast?.updates ?? 0) >= 1, undefined, { timeout: 15_000 });
      await before.stop();
      await page.waitForFunction(() => (window as unknown as { barcast: { status: string } }).barcast.status === 'reconnecting', undefined, { timeout: 5_000 });
      await sleep(3_000);
      const after = await apps.start({ config: { ...settings, port: before.address.port }, scheduler: clock });
      const candlesNow = (await readCandles(page)).length;
      await expect.poll(async () => (await readCandles(page)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(candlesNow + 3);
      const candles = await readCandles(page);
      const closed = candles.slice(0, -1);
      const first = (closed[0]?.time ?? 0) * 1000;
      const newest = (candles.at(-1)?.time ?? 0) * 1000;
      const query = new URLSearchParams({ symbol: 'AAPL', resolution: '1', from: String(first), to: String(newest) });
      const { bars } = (await (await fetch(`${after.httpUrl}/api/v1/bars?${query}`)).json()) as { bars: Bar[] };
      expect(closed).toEqual(bars.map((bar) => ({ time: bar.time / 1000, open: bar.open, high: bar.high, low: bar.low, close: bar.close })));
      expect(await page.evaluate(() => (window as unknown as { barcast: { status: string } }).barcast.status)).toBe('open');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});

/** Page errors and console errors, which a healthy page has none of. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    // Refused connections (socket, metrics poll) while the server is down are the outage itself.
    const outage = /WebSocket connection|ERR_CONNECTION_REFUSED/.test(message.text());
    if (message.type() === 'error' && !outage) problems.push(message.text());
  });
  return problems;
}

interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

function readCandles(page: Page): Promise<Candle[]> {
  return page.evaluate(() =>
    (window as unknown as { barcast: { candles: () => Candle[] } }).barcast
      .candles()
      .map(({ time, open, high, low, close }) => ({ time, open, high, low, close })),
  );
}
