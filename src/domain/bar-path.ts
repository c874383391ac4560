import { roundToCent, type Bar } from './bar.js';
import { mergeBars, treeBar, treePrefix, TreeWalk } from './bar-tree.js';
import { DAY_MS, DayWalk } from './day-bar.js';
import { nextPeriodStart, periodStart, periodStartAt, type Resolution } from './resolution.js';
import { keyedRandom } from './rng.js';
import type { MockBarContext } from './series-key.js';

/**
 * Bars of any resolution, closed (history) or as they stand at a given millisecond (live),
 * all cut from one bar tree (bar-tree.ts), so every resolution is the aggregate of the
 * minute bars inside it and the live bar seen at its last millisecond is the historical bar.
 */
const MINUTE_MS = 60_000;

/** Minutes of the tree level of a resolution; weeks and months are made of days. */
function treeMinutes(resolution: Resolution): number | undefined {
  if (resolution === '1W' || resolution === '1M') return undefined;
  return resolution === '1D' ? 1_440 : Number(resolution);
}

/** The closed bar of period `index` of the context's resolution. */
export function historicalBar(context: MockBarContext, index: number): Bar {
  return historicalBars(context, index, index + 1)[0] as Bar;
}

/**
 * The closed bars of periods [first, end), oldest first, in one walk: neighbouring bars share
 * their tree path and their day anchors, so a week costs about its 7 days' hashes, a month
 * its 30 days', and a minute bar about one split.
 */
export function historicalBars(context: MockBarContext, first: number, end: number): Bar[] {
  const bars: Bar[] = [];
  const minutes = treeMinutes(context.resolution);
  if (minutes !== undefined) {
    const walk = new TreeWalk(context);
    for (let index = first; index < end; index += 1) bars.push(walk.bar(minutes, periodStartAt(context.resolution, index)));
    return bars;
  }
  const days = new DayWalk(context);
  for (let index = first; index < end; index += 1) {
    const start = periodStartAt(context.resolution, index);
    bars.push(daysBar(days, start, nextPeriodStart(context.resolution, start)) as Bar);
  }
  return bars;
}

/**
 * The bar of the period containing `now`, as it stands at `now`: the minute bars closed so
 * far in the period, plus the current minute's bar up to `now`.
 */
export function barAt(context: MockBarContext, now: number): Bar {
  const minute = minuteSoFar(context, treeBar(context, 1, now), now);
  const closed = closedBefore(context, now);
  return closed ? mergeBars(closed, minute) : { ...minute, time: periodStart(context.resolution, now) };
}

/**
 * The aggregate of the minute bars of the period containing `time` that ended before the
 * minute of `time`: what a bar of the context's resolution held when that minute began.
 * Undefined in the period's first minute.
 */
export function closedBefore(context: MockBarContext, time: number): Bar | undefined {
  const { resolution } = context;
  const minuteStart = Math.floor(time / MINUTE_MS) * MINUTE_MS;
  const minutes = treeMinutes(resolution);
  if (minutes !== undefined) return treePrefix(context, treeBar(context, minutes, time), minutes, minuteStart);
  const today = Math.floor(time / DAY_MS) * DAY_MS;
  const walk = new DayWalk(context);
  const days = daysBar(walk, periodStart(resolution, time), today);
  const todaySoFar = treePrefix(context, walk.bar(today / DAY_MS), 1_440, minuteStart);
  return days && todaySoFar ? mergeBars(days, todaySoFar) : (days ?? todaySoFar);
}

/** The aggregate of the day bars in [from, to), if any. */
function daysBar(days: DayWalk, from: number, to: number): Bar | undefined {
  let bar: Bar | undefined;
  for (let day = from / DAY_MS; day < to / DAY_MS; day += 1) {
    const next = days.bar(day);
    bar = bar ? mergeBars(bar, next) : next;
  }
  return bar;
}

/**
 * A minute bar as it stands at `now`: its price leaves the open, touches the high and the
 * low (keyed order and times) and reaches the close at the last millisecond, in straight
 * lines, so the running high and low are exact; volume accrues evenly.
 */
function minuteSoFar(context: MockBarContext, minute: Bar, now: number): Bar {
  const random = keyedRandom(context.seed, context.symbol, 'path', minute.time);
  const last = minute.time + MINUTE_MS - 1;
  const first = minute.time + Math.floor(MINUTE_MS * (0.15 + 0.3 * random()));
  const second = minute.time + Math.floor(MINUTE_MS * (0.55 + 0.3 * random()));
  const [early, late] = random() < 0.5 ? [minute.high, minute.low] : [minute.low, minute.high];
  const points = [
    { time: minute.time, price: minute.open },
    { time: first, price: early },
    { time: second, price: late },
    { time: last, price: minute.close },
  ];
  let high = minute.open;
  let low = minute.open;
  let close = minute.open;
  for (let index = 1; index < points.length; index += 1) {
    const from = points[index - 1] as (typeof points)[number];
    const to = points[index] as (typeof points)[number];
    close = now >= to.time ? to.price : roundToCent(from.price + ((to.price - from.price) * (now - from.time)) / (to.time - from.time));
    high = Math.max(high, close);
    low = Math.min(low, close);
    if (now < to.time) break;
  }
  const volume = Math.floor((minute.volume * (now - minute.time + 1)) / MINUTE_MS);
  return { time: minute.time, open: minute.open, high, low, close, volume };
}
