import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
let browser: Browser;
beforeAll(async () => {
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
});
