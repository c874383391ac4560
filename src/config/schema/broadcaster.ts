import convict from 'convict';
import { parseResolution, type Resolution } from '../../domain/resolution.js';
import { isValidSymbol } from '../../domain/symbol.js';
import { listOf } from './formats.js';

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

/**
 * The broadcaster interval: timers tick in whole milliseconds (Node clamps anything under
 * 1 ms to 1 ms), so the interval is a whole number of milliseconds from 1 ms to an hour.
 */
convict.addFormat({
  name: 'tick-interval',
  validate(value: unknown) {
    const ms = typeof value === 'number' ? value * 1000 : Number.NaN;
    if (!(ms >= 1 && ms <= 3_600_000 && Math.abs(ms - Math.round(ms)) < 1e-6)) {
      throw new Error('must be a number of seconds from 0.001 to 3600, in whole milliseconds (timers cannot tick faster or finer)');
    }
  },
  coerce: (value: unknown) => Number(value),
});

/** convict's own `int` parses "1.5" as 1; a seed must be exactly what the operator wrote. */
convict.addFormat({
  name: 'strict-integer',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error('must be a whole number (a safe integer)');
  },
  coerce: (value: unknown) => Number(value),
});

/** The mock market: whether it runs, how often topics tick, what may be streamed, its seed. */
export const broadcasterSchema = {
  enabled: {
    doc: 'Whether bars are produced at all. When false, subscribes get BROADCASTER_DISABLED.',
    format: Boolean,
    default: true,
    env: 'BAR_BROADCASTER_ENABLED',
  },
  interval: {
    doc: 'Seconds between two updates of a topic: 0.001 to 3600, in whole milliseconds.',
    format: 'tick-interval',
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
    doc: 'Seed of the mock market: the same seed replays the same series. Any safe integer.',
    format: 'strict-integer',
    default: 42,
    env: 'BAR_BROADCASTER_SEED',
  },
};

export interface BroadcasterConfig {
  readonly enabled: boolean;
  readonly interval: number;
  readonly symbols: readonly string[];
  readonly resolutions: readonly Resolution[];
  readonly seed: number;
}
