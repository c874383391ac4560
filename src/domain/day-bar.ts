import { roundToCent, type Bar } from './bar.js';
import { gaussian, hashKey, keyedRandom } from './rng.js';
import type { SeriesKey } from './series-key.js';

/**
 * The daily bars of the mock market, the top of the bar tree (bar-tree.ts). The price at the
 * start of day `d` is multi-octave value noise in log-price: octave `o` draws a keyed value
 * every 2^o days and interpolates linearly, with an amplitude growing like sqrt(2^o), so
 * moves over L days scale like sqrt(L), as a random walk's do. Any day costs O(OCTAVES)
 * hashes, and a run of days (DayWalk) about two a day: history needs no replay from the start.
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

/** The closed bar of day `day`: open and close on the anchors, keyed wicks and volume. */
export function dayBar(context: SeriesKey, day: number): Bar {
  return new DayWalk(context).bar(day);
}

/** One octave's lattice cell the walk stands in: its index and its two corner values. */
interface Cell {
  index: number;
  left: number;
  right: number | undefined;
}

/**
 * Day bars read one after the other. Neighbouring days share an anchor (one's close is the
 * next one's open) and, at octave `o`, the lattice values of a cell 2^o days wide, so a walk
 * over consecutive days costs about two lattice hashes a day instead of two per octave: a
 * month of days costs what a few days did. Values are the same as a lone day's, to the bit:
 * the same terms are summed in the same order.
 */
export class DayWalk {
  private readonly cells: (Cell | undefined)[] = [];
  private lastDay = Number.NaN;
  private lastAnchor = 0;
  private readonly basePrice: number;

  constructor(private readonly context: SeriesKey) {
    this.basePrice = initialPrice(context);
  }

  /** The price at the start of day `day`. */
  anchor(day: number): number {
    if (day === this.lastDay) return this.lastAnchor;
    let logOffset = 0;
    for (let octave = 0; octave < OCTAVES; octave += 1) {
      const cell = 2 ** octave;
      const amplitude = Math.min(MAX_OCTAVE_AMPLITUDE, DAY_VOLATILITY * Math.sqrt(cell));
      logOffset += amplitude * this.octaveNoise(octave, day, cell);
    }
    this.lastDay = day;
    this.lastAnchor = Math.max(MIN_PRICE, roundToCent(this.basePrice * Math.exp(logOffset)));
    return this.lastAnchor;
  }

  /** The closed bar of day `day`. */
  bar(day: number): Bar {
    const open = this.anchor(day);
    const close = this.anchor(day + 1);
    const random = keyedRandom(this.context.seed, this.context.symbol, 'day', day);
    const high = roundToCent(Math.max(open, close) * (1 + Math.abs(gaussian(random)) * DAY_WICK));
    const low = Math.max(MIN_PRICE, roundToCent(Math.min(open, close) * (1 - Math.abs(gaussian(random)) * DAY_WICK)));
    const volume = MIN_DAY_VOLUME + Math.floor(random() * DAY_VOLUME_RANGE);
    return { time: day * DAY_MS, open, high, low, close, volume };
  }

  /** Value noise of one octave at `index`: keyed lattice values in [-1, 1], linearly interpolated. */
  private octaveNoise(octave: number, index: number, cell: number): number {
    const cellIndex = Math.floor(index / cell);
    const fraction = (index - cellIndex * cell) / cell;
    const current = this.cellAt(octave, cellIndex);
    if (fraction === 0) return current.left;
    current.right ??= this.latticeValue(octave, cellIndex + 1);
    return current.left + (current.right - current.left) * fraction;
  }

  /** The cell `cellIndex` of `octave`; stepping into the next cell reuses the shared corner. */
  private cellAt(octave: number, cellIndex: number): Cell {
    const known = this.cells[octave];
    if (known?.index === cellIndex) return known;
    const left = known?.index === cellIndex - 1 && known.right !== undefined ? known.right : this.latticeValue(octave, cellIndex);
    const cell = { index: cellIndex, left, right: undefined };
    this.cells[octave] = cell;
    return cell;
  }

  private latticeValue(octave: number, cellIndex: number): number {
    return 2 * keyedRandom(this.context.seed, this.context.symbol, 'anchor', octave, cellIndex)() - 1;
  }
}

/** A stable base price per (seed, symbol), between 20 and 520. */
export function initialPrice(context: SeriesKey): number {
  return roundToCent(20 + (hashKey(context.seed, context.symbol) % 50_000) / 100);
}
