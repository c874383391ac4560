import type { Bar } from '../domain/bar.js';
import { periodIndex, periodStartAt, type Resolution } from '../domain/resolution.js';

/**
 * What a client holds of one bar series, enough to keep it exact across reconnects: the
 * series only moves forward, and a bar handed out with its final values never changes.
 */
export interface HeldSeries {
  /** Time of the first bar handed out. */
  readonly first?: number;
  /** Time of the newest bar handed out. */
  readonly newest?: number;
  /** Time of the newest bar handed out with its final values (or named final by the caller). */
  readonly lastFinal?: number;
}

export const NOTHING_HELD: HeldSeries = {};

/**
 * The series after handing out `bar`, or undefined when `bar` must be dropped: older than
 * what the series shows (a reordered or duplicated frame), or a bar already final (a replay
 * of something held, or a late update of a closed bar, which would make it stale).
 */
export function admitBar(held: HeldSeries, bar: Bar, final: boolean): HeldSeries | undefined {
  if (held.lastFinal !== undefined && bar.time <= held.lastFinal) return undefined;
  if (held.newest !== undefined && bar.time < held.newest) return undefined;
  return { first: held.first ?? bar.time, newest: bar.time, lastFinal: final ? bar.time : held.lastFinal };
}

/**
 * The `since` to resume with: the last final bar held. With none (the first bar has not
 * closed yet, or an old server that sends no `final`), the bar before the first one held, so
 * the server replays every bar held from its final values and none stays stale.
 */
export function resumeSince(held: HeldSeries, resolution: Resolution): number | undefined {
  if (held.lastFinal !== undefined) return held.lastFinal;
  if (held.first === undefined) return undefined;
  const before = periodStartAt(resolution, periodIndex(resolution, held.first) - 1);
  // The protocol's since is a time after the epoch; a series held from 1970 resumes plain.
  return before >= 0 ? before : undefined;
}
