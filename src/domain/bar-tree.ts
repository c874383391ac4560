import { roundToCent, type Bar } from './bar.js';
import { DAY_MS, DayWalk } from './day-bar.js';
import { gaussian, keyedRandom } from './rng.js';
import type { SeriesKey } from './series-key.js';

/**
 * The bar tree: a day splits into 4-hour bars, those into hours, then 30, 15, 5 and 1-minute
 * bars, top down. A split keeps its parent whole: the children chain open to close from the
 * parent's open to its close, one child reaches the parent's high and one its low (no other
 * goes beyond), and their volumes add up to the parent's. So every coarse bar is exactly the
 * aggregate of the minute bars inside it (what `resample` computes live), and any bar of any
 * level costs O(levels), with no replay.
 */
export const LEVEL_MINUTES = [1440, 240, 60, 30, 15, 5, 1] as const;
const MINUTE_MS = 60_000;
/** How far inner boundaries stray from the straight line, relative to the parent's range. */
const BOUNDARY_SPREAD = 0.45;
/** How far a child's wicks reach past its own open and close, relative to the parent's range. */
const CHILD_WICK = 0.15;
/** Typical relative move of the price in one minute. */
const MINUTE_VOLATILITY = 0.0004;

/** The children of `parent` (a bar of `parentMinutes`), each `childMinutes` long, in time order. */
export function splitBar(context: SeriesKey, parent: Bar, parentMinutes: number, childMinutes: number): Bar[] {
  const count = parentMinutes / childMinutes;
  const random = keyedRandom(context.seed, context.symbol, 'split', childMinutes, parent.time);
  const range = parent.high - parent.low;
  // Strays and wicks scale with the parent's range, but never fall below what the child's
  // own duration would move the price, so fine bars keep some life inside quiet parents.
  const scale = Math.max(range, parent.close * MINUTE_VOLATILITY * Math.sqrt(childMinutes) * 3);
  const boundaries = [parent.open];
  for (let index = 1; index < count; index += 1) {
    const line = parent.open + ((parent.close - parent.open) * index) / count;
    const strayed = line + (gaussian(random) * scale * BOUNDARY_SPREAD * Math.sqrt(index * (count - index))) / count;
    boundaries.push(roundToCent(reflectInto(strayed, parent.low, parent.high)));
  }
  boundaries.push(parent.close);
  // The parent's extremes go to the children whose bodies come nearest to them, so a long
  // wick grows only where the price already was.
  const tops = boundaries.slice(0, count).map((open, index) => Math.max(open, boundaries[index + 1] as number));
  const bottoms = boundaries.slice(0, count).map((open, index) => Math.min(open, boundaries[index + 1] as number));
  const highest = tops.indexOf(Math.max(...tops));
  const lowest = bottoms.indexOf(Math.min(...bottoms));
  const weights = Array.from({ length: count }, () => 0.3 + random());
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  let volumeLeft = parent.volume;
  const wick = (scale * CHILD_WICK) / Math.sqrt(count);
  return weights.map((weight, index) => {
    const open = boundaries[index] as number;
    const close = boundaries[index + 1] as number;
    const high = index === highest ? parent.high : Math.min(parent.high, roundToCent(Math.max(open, close) + Math.abs(gaussian(random)) * wick));
    const low = index === lowest ? parent.low : Math.max(parent.low, roundToCent(Math.min(open, close) - Math.abs(gaussian(random)) * wick));
    const volume = index === count - 1 ? volumeLeft : Math.floor((parent.volume * weight) / totalWeight);
    volumeLeft -= volume;
    return { time: parent.time + index * childMinutes * MINUTE_MS, open, high, low, close, volume };
  });
}

/** The closed bar `minutes` long (one of LEVEL_MINUTES) that contains `time`. */
export function treeBar(context: SeriesKey, minutes: number, time: number): Bar {
  return new TreeWalk(context).bar(minutes, time);
}

/**
 * Tree bars read one after the other: each level keeps its last split, so consecutive bars
 * share the path from the day down and a run of n minute bars costs about n splits of the
 * lowest level, not n full descents. Same values as treeBar, which is a walk of one.
 */
export class TreeWalk {
  private readonly days: DayWalk;
  private day: Bar | undefined;
  private readonly splits: ({ readonly time: number; readonly children: Bar[] } | undefined)[] = [];

  constructor(private readonly context: SeriesKey) {
    this.days = new DayWalk(context);
  }

  /** The closed bar `minutes` long (one of LEVEL_MINUTES) that contains `time`. */
  bar(minutes: number, time: number): Bar {
    const dayStart = Math.floor(time / DAY_MS) * DAY_MS;
    if (this.day?.time !== dayStart) this.day = this.days.bar(dayStart / DAY_MS);
    let node = this.day;
    for (let level = 1; level < LEVEL_MINUTES.length && (LEVEL_MINUTES[level - 1] as number) > minutes; level += 1) {
      const childMinutes = LEVEL_MINUTES[level] as number;
      node = this.children(level, node)[Math.floor((time - node.time) / (childMinutes * MINUTE_MS))] as Bar;
    }
    return node;
  }

  private children(level: number, parent: Bar): Bar[] {
    const known = this.splits[level];
    if (known?.time === parent.time) return known.children;
    const children = splitBar(this.context, parent, LEVEL_MINUTES[level - 1] as number, LEVEL_MINUTES[level] as number);
    this.splits[level] = { time: parent.time, children };
    return children;
  }
}

/** The aggregate of the minute bars of `node` (a bar `minutes` long) that start before `end`. */
export function treePrefix(context: SeriesKey, node: Bar, minutes: number, end: number): Bar | undefined {
  let closed: Bar | undefined;
  let current = node;
  for (let level = LEVEL_MINUTES.indexOf(minutes as (typeof LEVEL_MINUTES)[number]) + 1; level < LEVEL_MINUTES.length; level += 1) {
    const [parentMinutes, childMinutes] = [LEVEL_MINUTES[level - 1] as number, LEVEL_MINUTES[level] as number];
    const children = splitBar(context, current, parentMinutes, childMinutes);
    const inside = Math.min(children.length, Math.max(0, Math.floor((end - current.time) / (childMinutes * MINUTE_MS))));
    for (const child of children.slice(0, inside)) closed = closed ? mergeBars(closed, child) : child;
    if (inside === children.length) break;
    current = children[inside] as Bar;
  }
  return closed;
}

/** `later` appended to `earlier`: the bar of both periods, stamped with the earlier's time. */
export function mergeBars(earlier: Bar, later: Bar): Bar {
  return {
    time: earlier.time,
    open: earlier.open,
    high: Math.max(earlier.high, later.high),
    low: Math.min(earlier.low, later.low),
    close: later.close,
    volume: earlier.volume + later.volume,
  };
}

/** Folds a value that strayed past a bound back inside, so strays pile up nowhere (no flat runs at the bounds). */
function reflectInto(value: number, low: number, high: number): number {
  const width = high - low;
  if (width <= 0) return low;
  const folded = (((value - low) % (2 * width)) + 2 * width) % (2 * width);
  return low + (folded <= width ? folded : 2 * width - folded);
}
