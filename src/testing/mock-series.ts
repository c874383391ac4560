import type { TestScheduler } from 'rxjs/testing';
import type { Bar } from '../domain/bar.js';
import { barAt, historicalBar } from '../domain/bar-path.js';
import { mockLastBar } from '../domain/mock-bar.js';
import { nextPeriodStart, periodIndex, type Resolution } from '../domain/resolution.js';
import type { MockBarContext } from '../domain/series-key.js';
import { marbleDiagram, type MarbleDiagram, type TimedValue } from './marble-diagram.js';
import { TEST_HUB_DEFAULTS } from './test-hub.js';

export interface MockSeriesOptions {
  readonly symbol: string;
  readonly resolution?: Resolution;
  /** The mock market's seed (the service's default otherwise). */
  readonly seed?: number;
  /** How often a live topic reads the clock, virtual ms (the test hub's default otherwise). */
  readonly periodMs?: number;
}

/**
 * The deterministic mock series of one symbol and resolution: the same values the live
 * topic, history and UDF give, for expected values in tests.
 */
export interface MockSeries {
  readonly context: MockBarContext;
  readonly periodMs: number;
  /** The bar of the period containing `time`, as it stands at `time` (pure: any virtual time, no stream run). */
  barAt(time: number): Bar;
  /** The closed bar of the period containing `time`, as history serves it. */
  closedBarAt(time: number): Bar;
  /** The clock readings of a live topic started at `from`: at once, every `periodMs`, and each period's last millisecond. */
  tickTimes(count: number, from?: number): number[];
  /** The first `count` bars a live topic started at `from` emits, with their frames. */
  liveTimeline(count: number, from?: number): TimedValue<Bar>[];
  /** The first `count` bars a live topic started at `from` emits. */
  liveBars(count: number, from?: number): Bar[];
  /** Those bars as marbles (absolute frames), for `expectObservable(stream$, subscribedBetween(from, ...)).toBe(marbles, values)`. */
  liveMarbles(count: number, from?: number): MarbleDiagram<Bar>;
  /** Those bars as a cold observable on `scheduler` (a stand-in source for an operator or a derived stream). */
  cold(scheduler: TestScheduler, count: number): ReturnType<TestScheduler['createColdObservable']>;
}

export function mockSeries(options: MockSeriesOptions): MockSeries {
  const context: MockBarContext = {
    symbol: options.symbol,
    resolution: options.resolution ?? '1',
    seed: options.seed ?? TEST_HUB_DEFAULTS.seed,
  };
  const periodMs = options.periodMs ?? TEST_HUB_DEFAULTS.periodMs;
  if (!(periodMs > 0)) throw new RangeError(`periodMs must be positive, got ${periodMs}`);
  const tickTimes = (count: number, from = 0): number[] => liveTickTimes(count, periodMs, context.resolution, from);
  const liveTimeline = (count: number, from = 0): TimedValue<Bar>[] => {
    const timeline: TimedValue<Bar>[] = [];
    for (const frame of tickTimes(count, from)) timeline.push({ frame, value: mockLastBar(timeline.at(-1)?.value, frame, context) });
    return timeline;
  };
  return {
    context,
    periodMs,
    barAt: (time) => barAt(context, time),
    closedBarAt: (time) => historicalBar(context, periodIndex(context.resolution, time)),
    tickTimes,
    liveTimeline,
    liveBars: (count, from) => liveTimeline(count, from).map(({ value }) => value),
    liveMarbles: (count, from) => marbleDiagram(liveTimeline(count, from)),
    cold(scheduler, count) {
      const { marbles, values } = marbleDiagram(liveTimeline(count));
      return scheduler.createColdObservable(marbles, values);
    },
  };
}

/** The clock readings of a bar stream started at `from`, in order (a tick and a close at one instant both count). */
function liveTickTimes(count: number, periodMs: number, resolution: Resolution, from: number): number[] {
  const times: number[] = [];
  let tick = from;
  let close = nextPeriodStart(resolution, from) - 1;
  while (times.length < count) {
    if (tick <= close) {
      times.push(tick);
      tick += periodMs;
    } else {
      times.push(close);
      close = nextPeriodStart(resolution, close + 1) - 1;
    }
  }
  return times;
}
