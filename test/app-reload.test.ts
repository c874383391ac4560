import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { hmacToken, JWT_SECRET } from './support/jwt.js';
import { memoryLogger } from './support/memory-logger.js';
import { testApps, TestClient } from '../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

const configWith = (auth: Record<string, unknown>, level = 'info') =>
  loadConfig({ env: { NODE_ENV: 'test' }, overrides: { port: 0, host: '127.0.0.1', log: { level }, auth } });

describe('app.reload (SIGHUP)', () => {
  it('applies the new log level and tokens, closing with 4003 only connections whose static token is gone', async () => {
    const { logger, records } = memoryLogger('info');
    const auth = { tokens: ['alpha', 'beta'], jwtSecret: JWT_SECRET };
    const { app, wsUrl } = await apps.start({ config: { auth, log: { level: 'info' } }, logger });
    const alpha = await TestClient.connect(`${wsUrl}?token=alpha`);
    const beta = await TestClient.connect(`${wsUrl}?token=beta`);
    const jwt = await TestClient.connect(`${wsUrl}?token=${await hmacToken()}`);

    const summary = app.reload(configWith({ tokens: ['alpha'], jwtSecret: JWT_SECRET }, 'debug'));
    expect(summary).toEqual({ logLevel: 'debug', staticTokens: 1, revoked: 1 });
    expect(await beta.closed).toEqual({ code: 4003, reason: 'token revoked' });
    expect(logger.level).toBe('debug');
    expect(records).toContainEqual(expect.objectContaining({ msg: 'configuration reloaded', revoked: 1 }));
    await expect(TestClient.connect(`${wsUrl}?token=beta`)).rejects.toThrow(/HTTP 401/);
    expect([alpha.socket.readyState, jwt.socket.readyState]).toEqual([alpha.socket.OPEN, jwt.socket.OPEN]);
    await Promise.all([alpha.close(), jwt.close()]);
  });
});
