import convict from 'convict';
import { parseResolution, type Resolution } from '../domain/resolution.js';
import { isValidSymbol } from '../domain/symbol.js';
import { TICK_SCHEDULES, type TickSchedule } from '../domain/tick-phase.js';

/** Comma-separated lists arrive from the environment as strings and from JSON as arrays. */
function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
}

convict.addFormat({
  name: 'symbol-list',
  validate(value: unknown) {
    const symbols = listOf(value);
    if (symbols.length === 0) throw new Error('must name at least one symbol');
    const bad = symbols.filter((symbol) => !isValidSymbol(symbol));
    if (bad.length > 0) {
      throw new Error(`invalid symbol(s) ${bad.join(', ')}: use 1-32 of A-Z, 0-9, ".", "_", "-", e.g. AAPL,MSFT`);
    }
  },
  coerce: (value: unknown) => listOf(value),
});

convict.addFormat({
  name: 'resolution-list',
  validate(value: unknown) {
    const spellings = listOf(value);
    if (spellings.length === 0) throw new Error('must name at least one resolution');
    const bad = spellings.filter((spelling) => !parseResolution(spelling));
    if (bad.length > 0) {
      throw new Error(`unknown resolution(s) ${bad.join(', ')}: allowed are 1, 5, 15, 30, 60, 240, D/1D, W/1W, M/1M`);
    }
  },
  coerce: (value: unknown) => [...new Set(listOf(value).map((spelling) => parseResolution(spelling) ?? spelling))],
});

convict.addFormat({
  name: 'positive-number',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new Error('must be a number greater than 0');
    }
  },
  coerce: (value: unknown) => Number(value),
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = {
  port: {
    doc: 'TCP port for HTTP and WebSocket (0 picks a free port).',
    format: 'port',
    default: 8000,
    env: 'PORT',
  },
  host: {
    doc: 'Interface to listen on.',
    format: String,
    default: '0.0.0.0',
    env: 'HOST',
  },
  broadcaster: {
    enabled: {
      doc: 'Whether bars are produced at all. When false, subscribes get BROADCASTER_DISABLED.',
      format: Boolean,
      default: true,
      env: 'BAR_BROADCASTER_ENABLED',
    },
    interval: {
      doc: 'Seconds between two updates of a topic.',
      format: 'positive-number',
      default: 2.0,
      env: 'BAR_BROADCASTER_INTERVAL',
    },
    symbols: {
      doc: 'Symbols that may be streamed, comma-separated.',
      format: 'symbol-list',
      default: ['AAPL', 'GOOGL', 'MSFT'],
      env: 'BAR_BROADCASTER_SYMBOLS',
    },
    resolutions: {
      doc: 'Resolutions that may be streamed, comma-separated (1, 5, 15, 30, 60, 240, 1D, 1W, 1M).',
      format: 'resolution-list',
      default: ['1'],
      env: 'BAR_BROADCASTER_RESOLUTIONS',
    },
    seed: {
      doc: 'Seed of the mock market: the same seed replays the same series.',
      format: 'int',
      default: 42,
      env: 'BAR_BROADCASTER_SEED',
    },
  },
  log: {
    level: {
      doc: 'Log level.',
      format: LOG_LEVELS,
      default: 'info',
      env: 'LOG_LEVEL',
    },
  },
  shutdown: {
    timeoutMs: {
      doc: 'Milliseconds stop() waits for sockets to close before destroying them.',
      format: 'nat',
      default: 3000,
      env: 'SHUTDOWN_TIMEOUT_MS',
    },
  },
  fanout: {
    tickSchedule: {
      doc:
        'When topics tick: "spread" (each symbol at its own offset in the interval, its resolutions together), ' +
        '"aligned" (every topic at the same instant), or "per-topic" (each topic an interval from its first subscriber).',
      format: TICK_SCHEDULES,
      default: 'spread',
      env: 'FANOUT_TICK_SCHEDULE',
    },
    perMessageDeflate: {
      doc: 'Offer permessage-deflate. Off: bar frames are small, and compressing per socket costs more CPU than it saves.',
      format: Boolean,
      default: false,
      env: 'FANOUT_PERMESSAGE_DEFLATE',
    },
  },
};

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The one typed configuration the composition root consumes. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly broadcaster: {
    readonly enabled: boolean;
    readonly interval: number;
    readonly symbols: readonly string[];
    readonly resolutions: readonly Resolution[];
    readonly seed: number;
  };
  readonly log: { readonly level: LogLevel };
  readonly shutdown: { readonly timeoutMs: number };
  readonly fanout: { readonly tickSchedule: TickSchedule; readonly perMessageDeflate: boolean };
}
