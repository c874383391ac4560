import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config/schema.js';

export type { Logger };

/** One JSON line per event; level from config. `destination` defaults to pino's stdout (the process uses log-sink.ts). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'barcast' } };
  return destination ? pino(options, destination) : pino(options);
}
