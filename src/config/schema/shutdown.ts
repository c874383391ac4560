import { range } from './formats.js';

/** How long stop() waits for sockets to close before it cuts them. */
export const shutdownSchema = {
  timeoutMs: {
    doc: 'Milliseconds stop() waits for sockets to close before destroying them (0-4000: under the 5 s exit deadline of a signal).',
    format: range('int', 0, 4_000),
    default: 3000,
    env: 'SHUTDOWN_TIMEOUT_MS',
  },
};

export interface ShutdownConfig {
  readonly timeoutMs: number;
}
