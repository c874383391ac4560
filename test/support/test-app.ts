import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppDependencies } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

export interface RunningApp {
  readonly app: App;
  readonly config: Config;
  readonly address: AddressInfo;
  readonly httpUrl: string;
  readonly wsUrl: string;
}

/**
 * Starts the real app on 127.0.0.1 and an ephemeral port, with config/test.json plus
 * `overrides` (convict paths, e.g. `{ broadcaster: { interval: 0.02 } }`).
 * Pair every call with `await running.app.stop()` (use `stopAll` in afterEach).
 */
export async function startTestApp(overrides: Record<string, unknown> = {}, dependencies: AppDependencies = {}): Promise<RunningApp> {
  const config = loadConfig({ env: { NODE_ENV: 'test' }, overrides: { port: 0, host: '127.0.0.1', ...overrides } });
  const app = createApp(config, dependencies);
  const address = await app.start();
  const base = `127.0.0.1:${address.port}`;
  return { app, config, address, httpUrl: `http://${base}`, wsUrl: `ws://${base}/api/v1/ws` };
}

/** Tracks apps started by a test file so afterEach can stop every one of them. */
export function appTracker(): { start: typeof startTestApp; stopAll: () => Promise<void> } {
  const running: RunningApp[] = [];
  return {
    async start(overrides, dependencies) {
      const started = await startTestApp(overrides, dependencies);
      running.push(started);
      return started;
    },
    async stopAll() {
      await Promise.all(running.splice(0).map((started) => started.app.stop()));
    },
  };
}
