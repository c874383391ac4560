import { roundToCent, type Bar } from './bar.js';
import { periodStart, type Resolution } from './resolution.js';
import { gaussian, hashKey, keyedRandom } from './rng.js';

export interface MockBarContext {
  readonly seed: number;
  readonly symbol: string;
  readonly resolution: Resolution;
}

/** Relative standard deviation of one tick's price move. */
const TICK_VOLATILITY = 0.002;
const MIN_PRICE = 0.01;
const MAX_TICK_VOLUME = 1_000;

/**
 * The next state of a topic's bar, given the previous one and the clock.
 *
 * A seeded random walk: the randomness of a tick is derived from (seed, symbol, resolution,
 * now), so the same inputs always give the same bar. Inside the period of `previous` it
 * updates that bar (same `time`); once the clock has crossed into a later period it starts a
 * new bar whose `open` is the previous `close`. A clock that goes backwards never moves
 * `time` back: the tick is treated as belonging to the current bar.
 */
export function mockLastBar(previous: Bar | undefined, now: number, context: MockBarContext): Bar {
  const random = keyedRandom(context.seed, context.symbol, context.resolution, now);
  const tickVolume = 1 + Math.floor(random() * MAX_TICK_VOLUME);
  const step = (price: number): number =>
    Math.max(MIN_PRICE, roundToCent(price * (1 + TICK_VOLATILITY * gaussian(random))));

  const time = periodStart(context.resolution, now);
  if (!previous) {
    const open = initialPrice(context);
    return barFrom(time, open, step(open), tickVolume);
  }
  if (time <= previous.time) {
    const close = step(previous.close);
    return {
      time: previous.time,
      open: previous.open,
      high: Math.max(previous.high, close),
      low: Math.min(previous.low, close),
      close,
      volume: previous.volume + tickVolume,
    };
  }
  return barFrom(time, previous.close, step(previous.close), tickVolume);
}

function barFrom(time: number, open: number, close: number, volume: number): Bar {
  return { time, open, high: Math.max(open, close), low: Math.min(open, close), close, volume };
}

/** A stable starting price per (seed, symbol), between 20 and 520. */
export function initialPrice(context: Pick<MockBarContext, 'seed' | 'symbol'>): number {
  return roundToCent(20 + (hashKey(context.seed, context.symbol) % 50_000) / 100);
}
