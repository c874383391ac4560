import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { stdoutLogSink } from './log-sink.js';
import { createLogger } from './logger.js';

/** Hard ceiling for a graceful stop; past it the process exits non-zero rather than hang. */
const EXIT_DEADLINE_MS = 5_000;
/** How long a stopped process waits for its last log lines to reach a slow stdout. */
const LOG_DRAIN_MS = 1_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`barcast: ${error.message}\n`);
    process.exit(1);
  }
  // stdout that fails or fills never blocks serving (log-sink.ts says what happens instead).
  const logSink = stdoutLogSink();
  const logger = createLogger(config.log.level, logSink);

  // A process in an unknown state must not keep serving: log, then exit non-zero.
  const die = (kind: string) => (error: unknown) => {
    logSink.writeSynchronously();
    logger.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on('unhandledRejection', die('unhandled rejection'));
  process.on('uncaughtException', die('uncaught exception'));

  const app = createApp(config, { logger });
  try {
    await app.start();
  } catch (error) {
    // A port in use, or WS_ENGINE=uws where uWebSockets.js cannot load: one line saying so, no stack.
    logSink.writeSynchronously();
    process.stderr.write(`barcast: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }

  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, EXIT_DEADLINE_MS).unref();
    // No process.exit on success: the process ends by itself once nothing is left running,
    // which proves no timer or socket leaked.
    app
      .stop()
      .then(async () => {
        // A stdout nobody reads holds its last lines (and a write in flight) forever: then
        // exit rather than wait, the service itself has stopped cleanly.
        if (!(await logSink.drain(LOG_DRAIN_MS))) process.exit(0);
      })
      .catch(die('shutdown failed'));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  // SIGHUP reloads what can change without dropping anyone (app.reload: the log level, the
  // tokens and JWT keys); a configuration that no longer loads is logged and the running one kept.
  process.on('SIGHUP', () => {
    let next;
    try {
      next = loadConfig();
    } catch (error) {
      logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'reload failed; the running configuration stays');
      return;
    }
    app.reload(next);
  });
}

await main();
