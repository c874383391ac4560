import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { fastClock } from '../test/support/fast-clock.js';
import { serveRequests } from './ipc.js';
import type { StormServerReply, StormServerRequest } from './storm-ipc.js';

/**
 * Child entry of W10: one barcast process, with the default limits (the handshake limits are
 * what is measured), on a fast clock (20x) so one-minute bars close while the clients are away.
 * Timers that would turn hot at that speed are slowed in proportion or off: heartbeats (off),
 * the slow-consumer deadline and the drain check (their real-time values), the stale check
 * (off). A restart is this process stopped and a new one started on the same port.
 */
let app: App | undefined;

serveRequests<StormServerRequest, StormServerReply>(async (request) => {
  switch (request.type) {
    case 'start': {
      const { speed, wallEpoch, simEpoch } = request.clock;
      const now = Date.now();
      const scheduler = fastClock(speed, simEpoch + (now - wallEpoch) * speed);
      const config = loadConfig({
        env: { NODE_ENV: 'production' },
        overrides: {
          port: request.engine === 'uws' ? 0 : request.port,
          // A named uWS port, never 0: uSockets sets SO_REUSEADDR only on a port it is given, and
          // without it the TIME_WAIT sockets of the last run block the restart's bind for a minute.
          host: '127.0.0.1',
          log: { level: 'silent' },
          broadcaster: { interval: (request.intervalMs * speed) / 1000, symbols: request.symbols, resolutions: ['1'] },
          shutdown: { timeoutMs: 500 },
          heartbeat: { intervalMs: 0 },
          limits: { slowConsumerTimeoutMs: 10_000 * speed, drainCheckMs: Math.min(10_000, 50 * speed) },
          fanout: { staleAfterIntervals: 0 },
          proxy: { trustedProxies: request.trustedProxies, protocol: request.proxyProtocol },
          transport: { engine: request.engine, uwsPort: request.engine === 'uws' ? request.port : 8001 },
        },
      });
      app = createApp(config, { scheduler });
      const address = await app.start();
      return { type: 'start', port: app.wsAddress()?.port ?? address.port };
    }
    case 'ready':
      return { type: 'ready' };
    case 'stop':
      await app?.stop();
      return { type: 'stop' };
  }
});
