import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/schema.js';

export type { Logger };

/** One JSON line per event on stdout; level from config. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'barcast' } });
}
