import type { Bar } from './bar.js';
import { barAt } from './bar-path.js';
import type { MockBarContext } from './series-key.js';

export { initialPrice } from './day-bar.js';

/**
 * The next state of a topic's bar, given the previous one and the clock.
 *
 * The series is a pure function of (seed, symbol, resolution, time) (see bar-path.ts), so the
 * same inputs always give the same bar and live bars agree with history. Inside the period of
 * `previous` it updates that bar (same `time`, volume never lower); once the clock has crossed
 * into a later period it starts a new bar whose `open` is the previous `close` (equal to the
 * period's anchor when the previous bar was seen to its last millisecond). A clock that goes
 * back to an earlier period never moves `time` back: the previous bar stands.
 */
export function mockLastBar(previous: Bar | undefined, now: number, context: MockBarContext): Bar {
  const bar = barAt(context, now);
  if (!previous) return bar;
  if (bar.time < previous.time) return previous;
  if (bar.time === previous.time) {
    return {
      time: previous.time,
      open: previous.open,
      high: Math.max(previous.high, bar.high, bar.close),
      low: Math.min(previous.low, bar.low, bar.close),
      close: bar.close,
      volume: Math.max(previous.volume, bar.volume),
    };
  }
  const open = previous.close;
  return { ...bar, open, high: Math.max(bar.high, open), low: Math.min(bar.low, open) };
}
