import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { TransportEngine } from '../../src/config/schema.js';
import type { StartServer } from './bench-server.js';

/**
 * barcast itself, through its composition root, with production config plus the workload's
 * overrides. The per-connection abuse limits are lifted: the load generator is a trusted
 * client that churns 100,000 subscriptions over a few sockets (W4) and holds 10,000
 * connections (W3), which the defaults (10 messages/s, 10,000 connections) would rightly
 * refuse. Backpressure (the outbox) and protocol pings stay at their defaults, so they are measured.
 */
export const startBarcastServer: StartServer = (options) => startBarcast(options, 'ws');

/** The same, with its WebSocket on uWebSockets.js (`transport.engine: uws`, on a port of its own). */
export const startBarcastUwsServer: StartServer = (options) => startBarcast(options, 'uws');

async function startBarcast({ intervalMs, symbols, resolutions, tickSchedule }: Parameters<StartServer>[0], engine: TransportEngine): ReturnType<StartServer> {
  const config = loadConfig({
    env: { NODE_ENV: 'production' },
    overrides: {
      port: 0,
      host: '127.0.0.1',
      log: { level: 'silent' },
      broadcaster: { interval: intervalMs / 1000, symbols, resolutions },
      shutdown: { timeoutMs: 100 },
      // Every load client connects from 127.0.0.1 at once: the per-IP handshake cap is not what is measured.
      limits: { maxConnections: 100_000, maxHandshakesPerIp: 100_000, maxSubscriptions: 10_000, messagesPerSecond: 1_000_000, messageBurst: 1_000_000 },
      // The handshake deadlines at their maximum: on a loaded machine 19,000 handshakes queue
      // for longer than the 5 s a slow client is given (408), and slow clients are not measured.
      http: { headersTimeoutMs: 120_000, requestTimeoutMs: 600_000, upgradeTimeoutMs: 60_000 },
      ...(tickSchedule ? { fanout: { tickSchedule } } : {}),
      transport: { engine, uwsPort: 0 },
    },
  });
  const app = createApp(config);
  const address = await app.start();
  return {
    port: app.wsAddress()?.port ?? address.port,
    activeTopics: () => app.metrics().active_topics,
    stop: () => app.stop(),
  };
}
