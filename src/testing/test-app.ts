import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppDependencies } from '../app.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { TestClient } from './test-client.js';

export interface TestAppOptions extends AppDependencies {
  /** Settings over config/test.json, as convict paths: `{ broadcaster: { interval: 0.02 } }`. */
  readonly config?: Record<string, unknown>;
}

export interface TestApp {
  readonly app: App;
  readonly config: Config;
  readonly address: AddressInfo;
  readonly httpUrl: string;
  /** The WebSocket endpoint: on the HTTP port with the ws engine, on uWS's own port with `transport: { engine: 'uws' }`. */
  readonly wsUrl: string;
  /** A client on this app's WebSocket; closed by `stop()` if still open. */
  connect(options?: Parameters<typeof TestClient.connect>[1]): Promise<TestClient>;
  /** Stops the app (every topic completed, clients closed with 1001, the port released) and waits for its clients' sockets to close. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The real app (HTTP, WebSocket, your topic kinds) on 127.0.0.1 and a port the OS picks,
 * with config/test.json and `options.config` over it. Pair every start with `stop()`, or use
 * `testApps()` and stop them all in `afterEach`.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { config: overrides = {}, ...dependencies } = options;
  const config = loadConfig({ env: { NODE_ENV: 'test' }, overrides: { port: 0, host: '127.0.0.1', ...withFreeUwsPort(overrides) } });
  const app = createApp(config, dependencies);
  const address = await app.start();
  const base = `127.0.0.1:${address.port}`;
  // With `transport.engine: uws` the WebSocket has a port of its own (uWS picks one: uwsPort 0).
  const wsPort = app.wsAddress()?.port ?? address.port;
  const wsUrl = `ws://127.0.0.1:${wsPort}/api/v1/ws`;
  const clients = new Set<TestClient>();
  let stopping: Promise<void> | undefined;
  return {
    app,
    config,
    address,
    httpUrl: `http://${base}`,
    wsUrl,
    async connect(clientOptions) {
      const client = await TestClient.connect(wsUrl, clientOptions);
      clients.add(client);
      return client;
    },
    stop() {
      stopping ??= (async () => {
        // The app first, so its clients see the server's own goodbye (1001), as in production.
        await app.stop();
        await Promise.all([...clients].map((client) => client.close()));
        // One turn of the event loop: closed handles are released in libuv's close phase, after this resolves otherwise.
        await new Promise((resolve) => setTimeout(resolve, 0));
      })();
      return stopping;
    },
  };
}

/** A test app's uWS port is picked by the OS too, unless the test names one. */
function withFreeUwsPort(overrides: Record<string, unknown>): Record<string, unknown> {
  const transport = (overrides['transport'] ?? {}) as Record<string, unknown>;
  return { ...overrides, transport: { uwsPort: 0, ...transport } };
}

/** The apps a test file starts, so one `afterEach(() => apps.stopAll())` stops every one. */
export interface TestApps {
  start(options?: TestAppOptions): Promise<TestApp>;
  stopAll(): Promise<void>;
}

/**
 * `defaults` go under every start's options; a start's `config` replaces a default's top-level
 * group: `testApps({ config: { transport: { engine: 'uws' } } })` runs a file's tests on uWS.
 */
export function testApps(defaults: TestAppOptions = {}): TestApps {
  const running: TestApp[] = [];
  return {
    async start(options = {}) {
      const started = await startTestApp({ ...defaults, ...options, config: { ...defaults.config, ...options.config } });
      running.push(started);
      return started;
    },
    async stopAll() {
      await Promise.all(running.splice(0).map((started) => started.stop()));
    },
  };
}
