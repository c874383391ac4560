import { roundToCent, type Bar } from './bar.js';
import { anchorPrice, MIN_PRICE, periodVolatility } from './anchor-price.js';
import type { MockBarContext } from './mock-bar.js';
import { periodIndex, periodStartAt } from './period-index.js';
import { gaussian, keyedRandom } from './rng.js';

/**
 * The price path inside one bar, as a pure function of the clock: it leaves the bar's open
 * anchor, touches the high and the low (in a keyed order), and reaches the next anchor at the
 * bar's last millisecond. Being piecewise linear, its running high and low are exact, so the
 * bar seen live at the last millisecond is the same bar that history computes.
 */
interface PathPoint {
  readonly time: number;
  readonly price: number;
}

interface BarPath {
  readonly start: number;
  readonly points: readonly PathPoint[];
  readonly volume: number;
}

/** Largest number of shares traded in one bar of one minute; longer bars trade more. */
const MINUTE_VOLUME = 20_000;

function barPath(context: MockBarContext, index: number): BarPath {
  const start = periodStartAt(context.resolution, index);
  const last = periodStartAt(context.resolution, index + 1) - 1;
  const open = anchorPrice(context, index);
  const close = anchorPrice(context, index + 1);
  const random = keyedRandom(context.seed, context.symbol, context.resolution, 'bar', index);
  const wick = periodVolatility(context) * 0.6;
  const high = roundToCent(Math.max(open, close) * (1 + Math.abs(gaussian(random)) * wick));
  const low = Math.max(MIN_PRICE, roundToCent(Math.min(open, close) * (1 - Math.abs(gaussian(random)) * wick)));
  const span = last - start;
  const first = start + Math.floor(span * (0.15 + 0.3 * random()));
  const second = start + Math.floor(span * (0.55 + 0.3 * random()));
  const [early, late] = random() < 0.5 ? [high, low] : [low, high];
  const minutes = Math.max(1, span / 60_000);
  const volume = 1 + Math.floor(random() * MINUTE_VOLUME * Math.sqrt(minutes));
  return {
    start,
    points: [
      { time: start, price: open },
      { time: first, price: early },
      { time: second, price: late },
      { time: last, price: close },
    ],
    volume,
  };
}

/**
 * The bar of the period containing `now`, as it stands at `now`: open at the period's anchor,
 * close on the path at `now`, high and low the extremes of the path so far, volume traded so far.
 */
export function barAt(context: MockBarContext, now: number): Bar {
  const path = barPath(context, periodIndex(context.resolution, now));
  const [origin] = path.points as [PathPoint, ...PathPoint[]];
  let high = origin.price;
  let low = origin.price;
  let close = origin.price;
  for (let index = 1; index < path.points.length; index += 1) {
    const from = path.points[index - 1] as PathPoint;
    const to = path.points[index] as PathPoint;
    if (now >= to.time) {
      close = to.price;
    } else {
      const fraction = to.time > from.time ? (now - from.time) / (to.time - from.time) : 1;
      close = roundToCent(from.price + (to.price - from.price) * fraction);
    }
    high = Math.max(high, close);
    low = Math.min(low, close);
    if (now < to.time) break;
  }
  const last = (path.points[path.points.length - 1] as PathPoint).time;
  const traded = Math.floor((path.volume * (now - path.start + 1)) / (last - path.start + 1));
  return { time: path.start, open: origin.price, high, low, close, volume: Math.max(0, traded) };
}

/** The closed bar of period `index`: the live bar as it stands at its last millisecond. */
export function historicalBar(context: MockBarContext, index: number): Bar {
  return barAt(context, periodStartAt(context.resolution, index + 1) - 1);
}
