import type { Bar } from '../domain/bar.js';
import { periodIndex } from '../domain/resolution.js';
import type { BarsTopic } from '../domain/topic.js';
import { closingInstant, type TopicUpdate } from '../domain/update.js';
import type { SeriesHistory } from './series-history.js';
import type { TopicResume } from './topic-kind.js';

export interface BarsResumeOptions {
  readonly history: SeriesHistory;
  /** The most bars one resume replays (HISTORY_MAX_BARS); past it the client reloads. */
  readonly maxBars: number;
  readonly now: () => number;
}

/**
 * A bars subscriber that holds the series up to its final bar at `since` gets the bars that
 * closed after it from history (exact, so nothing is lost however long it was away), each
 * marked `final` and `replay` at its period's last millisecond, up to the bar the live
 * stream is on (`latest`, or the current period when the topic is not running here), which
 * the subscriber then gets live. Live updates of bars the replay already gave (a late copy
 * off the engine) are not sent again.
 *
 * ```
 * since = bar 3, live on bar 7:   replay 4 5 6 (final), then live 7 7' 7'' ...
 * ```
 */
export function resumeBars(topic: BarsTopic, since: number, latest: TopicUpdate<Bar> | undefined, options: BarsResumeOptions): TopicResume<Bar> {
  const { symbol, resolution } = topic;
  const first = periodIndex(resolution, since) + 1;
  const end = Math.max(first, periodIndex(resolution, latest?.value.time ?? options.now()));
  if (end - first > options.maxBars) return { recovered: false };
  const updates = options.history
    .bars(symbol, resolution, { first, end })
    .map((bar): TopicUpdate<Bar> => ({ value: bar, ts: closingInstant(resolution, bar.time), final: true, replay: true }));
  const coveredUpTo = updates.at(-1)?.value.time ?? since;
  return { recovered: true, updates, covers: (update) => update.value.time <= coveredUpTo };
}
