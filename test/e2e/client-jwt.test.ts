import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src/client/connect.js';
import type { Bar } from '../../src/domain/bar.js';
import { clientTracker } from '../support/client-tracker.js';
import { hmacToken, JWT_SECRET } from '../support/jwt.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
const clients = clientTracker();
afterEach(async () => {
  clients.closeAll();
  await apps.stopAll();
});

describe('the typed client with short-lived JWTs', () => {
  it('refreshes its token in-band on auth.expiring, so the connection outlives every token and keeps streaming', async () => {
    const { wsUrl, app } = await apps.start({ config: { auth: { jwtSecret: JWT_SECRET, expiryWarningSeconds: 2, jwtClockSkewSeconds: 0 }, broadcaster: { interval: 0.1 } } });
    let issued = 0;
    const barcast = clients.connect(wsUrl, { token: () => ((issued += 1), hmacToken({}, { expiresInS: 3 })) });
    const statuses: ConnectionStatus[] = [];
    barcast.status$.subscribe((status) => statuses.push(status));
    const bars: Bar[] = [];
    barcast.bars$('AAPL').subscribe((bar) => bars.push(bar));
    // Well past the first token's expiry (3 s): still the first connection, still streaming.
    const start = Date.now();
    await expect.poll(() => Date.now() - start, { timeout: 10_000, interval: 250 }).toBeGreaterThan(4_500);
    expect(issued).toBeGreaterThanOrEqual(3);
    const seen = bars.length;
    await expect.poll(() => bars.length).toBeGreaterThan(seen + 5);
    expect(statuses).toEqual(['connecting', 'open']);
    expect(app.metrics()).toMatchObject({ clients: 1, subscriptions: 1 });
  }, 20_000);
});
