import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/logger.js';

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A real pino logger that keeps its JSON lines in memory, so a test can assert on what was logged. */
export function memoryLogger(level = 'info'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  return { logger: pino({ level }, sink), records };
}

/** pino's numeric levels. */
export const LOG_LEVEL = { warn: 40, error: 50, fatal: 60 } as const;
