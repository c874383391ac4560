import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { StartServer } from './bench-server.js';

/** barcast itself, through its composition root, with production config plus the workload's overrides. */
export const startBarcastServer: StartServer = async ({ intervalMs, symbols, resolutions, tickSchedule }) => {
  const config = loadConfig({
    env: { NODE_ENV: 'production' },
    overrides: {
      port: 0,
      host: '127.0.0.1',
      log: { level: 'silent' },
      broadcaster: { interval: intervalMs / 1000, symbols, resolutions },
      shutdown: { timeoutMs: 100 },
      ...(tickSchedule ? { fanout: { tickSchedule } } : {}),
    },
  });
  const app = createApp(config);
  const address = await app.start();
  return {
    port: address.port,
    activeTopics: () => app.metrics().active_topics,
    stop: () => app.stop(),
  };
};
