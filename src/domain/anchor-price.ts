import { roundToCent } from './bar.js';
import type { MockBarContext } from './mock-bar.js';
import { periodMinutes } from './period-index.js';
import { hashKey, keyedRandom } from './rng.js';

/**
 * The price of a topic at the start of period `index`: the open of that bar and the close of
 * the one before. It is multi-octave value noise in log-price: octave `o` draws a keyed value
 * every 2^o periods and interpolates linearly between them, with an amplitude growing like
 * sqrt(2^o), so moves over a lag of L periods scale like sqrt(L), as a random walk's do.
 * Any index costs O(OCTAVES) hashes, so history needs no replay from the start.
 */
const OCTAVES = 18;
/** Relative move of a one-minute bar; longer bars scale by sqrt(minutes), up to the cap. */
const MINUTE_VOLATILITY = 0.001;
const MAX_PERIOD_VOLATILITY = 0.02;
/** Caps slow octaves so a symbol wanders tens of percent, not orders of magnitude. */
const MAX_OCTAVE_AMPLITUDE = 0.12;
export const MIN_PRICE = 0.01;

/** Relative standard move of one bar of this resolution. */
export function periodVolatility(context: Pick<MockBarContext, 'resolution'>): number {
  return Math.min(MAX_PERIOD_VOLATILITY, MINUTE_VOLATILITY * Math.sqrt(periodMinutes(context.resolution)));
}

export function anchorPrice(context: MockBarContext, index: number): number {
  const volatility = periodVolatility(context);
  let logOffset = 0;
  for (let octave = 0; octave < OCTAVES; octave += 1) {
    const cell = 2 ** octave;
    const amplitude = Math.min(MAX_OCTAVE_AMPLITUDE, volatility * Math.sqrt(cell));
    logOffset += amplitude * octaveNoise(context, octave, index, cell);
  }
  return Math.max(MIN_PRICE, roundToCent(initialPrice(context) * Math.exp(logOffset)));
}

/** Value noise of one octave at `index`: keyed lattice values in [-1, 1], linearly interpolated. */
function octaveNoise(context: MockBarContext, octave: number, index: number, cell: number): number {
  const cellIndex = Math.floor(index / cell);
  const fraction = (index - cellIndex * cell) / cell;
  const left = latticeValue(context, octave, cellIndex);
  if (fraction === 0) return left;
  return left + (latticeValue(context, octave, cellIndex + 1) - left) * fraction;
}

function latticeValue(context: MockBarContext, octave: number, cellIndex: number): number {
  return 2 * keyedRandom(context.seed, context.symbol, context.resolution, 'anchor', octave, cellIndex)() - 1;
}

/** A stable base price per (seed, symbol), between 20 and 520. */
export function initialPrice(context: Pick<MockBarContext, 'seed' | 'symbol'>): number {
  return roundToCent(20 + (hashKey(context.seed, context.symbol) % 50_000) / 100);
}
