import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src/client/connect.js';
import { bundleClient } from '../../scripts/bundle-client.mjs';
import { launchChromium } from '../support/browser.js';
import { clientTracker } from '../support/client-tracker.js';
import { testApps } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  const clients = clientTracker();
  afterEach(async () => {
    clients.closeAll();
    await apps.stopAll();
  });

  // The token presented as the `barcast.bearer.<token>` subprotocol (the server selects `barcast.v1`).
  describe("the typed client presents its token as the barcast.bearer subprotocol", () => {
    it('connects with a token provider, the token in Sec-WebSocket-Protocol and not in the URL', async () => {
      const { wsUrl, app } = await apps.start({ config: { auth: { tokens: ['s3cret-token'] } } });
      let asked = 0;
      const barcast = clients.connect(wsUrl, { token: async () => (asked += 1, 's3cret-token') });
      const bars = await firstValueFrom(barcast.bars$('AAPL').pipe(take(2), toArray()));
      expect(bars).toHaveLength(2);
      expect(asked).toBe(1);
      expect(app.metrics()).toMatchObject({ clients: 1, subscriptions: 1 });
    });

    it('keeps retrying, never open, with a token the server refuses', async () => {
      const { wsUrl, app } = await apps.start({ config: { auth: { tokens: ['s3cret-token'] } } });
      const barcast = clients.connect(wsUrl, { token: 'wrong', backoff: { baseMs: 20, maxMs: 40 } });
      const statuses: ConnectionStatus[] = [];
      barcast.status$.subscribe((status) => statuses.push(status));
      await expect.poll(() => app.metrics().connections_refused).toBeGreaterThanOrEqual(2);
      expect(statuses).toEqual(['connecting', 'reconnecting']);
    });

    it('the chart page takes its token from the fragment and streams with it', async () => {
      await bundleClient();
      const browser = await launchChromium();
      try {
        const { httpUrl } = await apps.start({ config: { auth: { tokens: ['s3cret-token'] } } });
        const page = await browser.newPage();
        await page.goto(`${httpUrl}/?symbol=AAPL&resolution=1#token=s3cret-token`);
        await page.waitForFunction(() => ((window as unknown as { barcast?: { updates: number } }).barcast?.updates ?? 0) >= 1, undefined, { timeout: 15_000 });
        expect(await page.locator('#status').textContent()).toBe('open');
      } finally {
        await browser.close();
      }
    }, 60_000);
  });
});
