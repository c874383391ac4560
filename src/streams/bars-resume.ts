import type { Bar } from '../domain/bar.js';
import { firstBarIndex } from '../domain/history.js';
import { periodIndex, periodStartAt } from '../domain/resolution.js';
import type { BarsTopic } from '../domain/topic.js';
import { closingInstant, type TopicUpdate } from '../domain/update.js';
import type { SeriesHistory } from './series-history.js';
import type { TopicResume } from './topic-kind.js';

export interface BarsResumeOptions {
  readonly history: SeriesHistory;
  /** The most bars one resume replays (HISTORY_MAX_BARS); past it the client reloads. */
  readonly maxBars: number;
  readonly now: () => number;
  /** When the series starts (HISTORY_LISTING_DATE): a `since` before its first bar cannot be resumed. */
  readonly listedAt?: number;
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
 *
 * Past `maxBars`, or for a `since` before the series' first bar (a client holding bars that
 * history does not have must reload), it is not recovered. The replay is computed at once, on
 * the subscribing client's turn: at most `maxBars` bars, and the listing date bounds every
 * resolution's count (5,000 one-minute bars take tens of milliseconds).
 */
export function resumeBars(topic: BarsTopic, since: number, latest: TopicUpdate<Bar> | undefined, options: BarsResumeOptions): TopicResume<Bar> {
  const { symbol, resolution } = topic;
  if (options.listedAt !== undefined && since < periodStartAt(resolution, firstBarIndex(resolution, options.listedAt)) - 1) return { recovered: false };
  const first = periodIndex(resolution, since) + 1;
  const end = Math.max(first, periodIndex(resolution, latest?.value.time ?? options.now()));
  if (end - first > options.maxBars) return { recovered: false };
  const updates = options.history
    .bars(symbol, resolution, { first, end })
    .map((bar): TopicUpdate<Bar> => ({ value: bar, ts: closingInstant(resolution, bar.time), final: true, replay: true }));
  const coveredUpTo = updates.at(-1)?.value.time ?? since;
  return { recovered: true, updates, covers: (update) => update.value.time <= coveredUpTo };
}

/** What a trade-fed topic's resume is served from: the aggregator's finals in memory (engines/trades). */
export interface TradeFedFinals {
  isTradeFed(symbol: string): boolean;
  /** The topic's most recent finals, oldest first; `truncated` when older ones exist that are not held. */
  recentFinals(topic: BarsTopic): { readonly bars: readonly Bar[]; readonly truncated: boolean };
}

/**
 * The resume of a trade-fed topic: the finals after `since` that the aggregator holds in
 * memory (at most HISTORY_MAX_BARS, loaded from the store at start), so it is answered on the
 * subscriber's turn without the database. Periods without trades have no bar, so the replay
 * may have gaps, as history does. Recovered only when every final after `since` is held:
 * a `since` older than the oldest one held, once older ones were let go, is not.
 */
export function resumeTradeBars(topic: BarsTopic, since: number, latest: TopicUpdate<Bar> | undefined, finals: TradeFedFinals): TopicResume<Bar> {
  const { bars, truncated } = finals.recentFinals(topic);
  const oldest = bars[0];
  if (truncated && (oldest === undefined || since < oldest.time)) return { recovered: false };
  const before = latest?.value.time ?? Number.POSITIVE_INFINITY;
  const updates = bars
    .filter((bar) => bar.time > since && bar.time < before)
    .map((bar): TopicUpdate<Bar> => ({ value: bar, ts: closingInstant(topic.resolution, bar.time), final: true, replay: true }));
  const coveredUpTo = updates.at(-1)?.value.time ?? since;
  return { recovered: true, updates, covers: (update) => update.value.time <= coveredUpTo };
}
