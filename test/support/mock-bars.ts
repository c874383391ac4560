import type { Bar } from '../../src/domain/bar.js';
import { mockLastBar, type MockBarContext } from '../../src/domain/mock-bar.js';
import { nextPeriodStart, type Resolution } from '../../src/domain/resolution.js';

/**
 * The first `count` bars a topic's bar stream emits when subscribed at time 0: it reads the
 * clock at once, then every `periodMs`, and at the last millisecond of each bar.
 */
export function generatedBars(count: number, periodMs: number, context: MockBarContext): Bar[] {
  const bars: Bar[] = [];
  for (const now of tickTimes(count, periodMs, context.resolution)) bars.push(mockLastBar(bars.at(-1), now, context));
  return bars;
}

/** The clock readings of a bar stream subscribed at 0, in order. */
export function tickTimes(count: number, periodMs: number, resolution: Resolution): number[] {
  const times: number[] = [];
  let tick = 0;
  let close = nextPeriodStart(resolution, 0) - 1;
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
