import { roundToCent, type Bar } from './bar.js';
import type { MockBarContext } from './mock-bar.js';
import { gaussian, hashKey, keyedRandom } from './rng.js';

/**
 * The daily bars of the mock market, the top of the bar tree (bar-tree.ts). The price at the
 * start of day `d` is multi-octave value noise in log-price: octave `o` draws a keyed value
 * every 2^o days and interpolates linearly, with an amplitude growing like sqrt(2^o), so
 * moves over L days scale like sqrt(L), as a random walk's do. Any day costs O(OCTAVES)
 * hashes: history needs no replay from the start.
 */
const OCTAVES = 12;
const DAY_VOLATILITY = 0.02;
/** Caps slow octaves so a symbol wanders tens of percent, not orders of magnitude. */
const MAX_OCTAVE_AMPLITUDE = 0.12;
/** How far a day's high and low reach past its open and close, relative. */
const DAY_WICK = 0.012;
const MIN_DAY_VOLUME = 2_000_000;
const DAY_VOLUME_RANGE = 8_000_000;
export const MIN_PRICE = 0.01;
export const DAY_MS = 86_400_000;

/** The price at the start of day `day` (days since the epoch, UTC). */
export function dayAnchor(context: Pick<MockBarContext, 'seed' | 'symbol'>, day: number): number {
  let logOffset = 0;
  for (let octave = 0; octave < OCTAVES; octave += 1) {
    const cell = 2 ** octave;
    const amplitude = Math.min(MAX_OCTAVE_AMPLITUDE, DAY_VOLATILITY * Math.sqrt(cell));
    logOffset += amplitude * octaveNoise(context, octave, day, cell);
  }
  return Math.max(MIN_PRICE, roundToCent(initialPrice(context) * Math.exp(logOffset)));
}

/** The closed bar of day `day`: open and close on the anchors, keyed wicks and volume. */
export function dayBar(context: Pick<MockBarContext, 'seed' | 'symbol'>, day: number): Bar {
  const open = dayAnchor(context, day);
  const close = dayAnchor(context, day + 1);
  const random = keyedRandom(context.seed, context.symbol, 'day', day);
  const high = roundToCent(Math.max(open, close) * (1 + Math.abs(gaussian(random)) * DAY_WICK));
  const low = Math.max(MIN_PRICE, roundToCent(Math.min(open, close) * (1 - Math.abs(gaussian(random)) * DAY_WICK)));
  const volume = MIN_DAY_VOLUME + Math.floor(random() * DAY_VOLUME_RANGE);
  return { time: day * DAY_MS, open, high, low, close, volume };
}

/** Value noise of one octave at `index`: keyed lattice values in [-1, 1], linearly interpolated. */
function octaveNoise(context: Pick<MockBarContext, 'seed' | 'symbol'>, octave: number, index: number, cell: number): number {
  const cellIndex = Math.floor(index / cell);
  const fraction = (index - cellIndex * cell) / cell;
  const left = latticeValue(context, octave, cellIndex);
  if (fraction === 0) return left;
  return left + (latticeValue(context, octave, cellIndex + 1) - left) * fraction;
}

function latticeValue(context: Pick<MockBarContext, 'seed' | 'symbol'>, octave: number, cellIndex: number): number {
  return 2 * keyedRandom(context.seed, context.symbol, 'anchor', octave, cellIndex)() - 1;
}

/** A stable base price per (seed, symbol), between 20 and 520. */
export function initialPrice(context: Pick<MockBarContext, 'seed' | 'symbol'>): number {
  return roundToCent(20 + (hashKey(context.seed, context.symbol) % 50_000) / 100);
}
