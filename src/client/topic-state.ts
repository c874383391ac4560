/**
 * Where a topic stands, for a UI to show and for adapters to act on:
 * - `idle`: nobody subscribes to it;
 * - `subscribing`: asked for, nothing received yet;
 * - `resuming`: the connection dropped or reopened; the server is asked for what was missed;
 * - `reloading`: the server could not replay the gap (or lost a bar's final); the client loads it from `GET /api/v1/bars`;
 * - `live`: updates flow.
 */
export type TopicPhase = 'idle' | 'subscribing' | 'resuming' | 'reloading' | 'live';

/** Bars the series misses: every bar after `after` and before `before` (epoch ms). */
export interface SeriesHole {
  readonly after: number;
  readonly before: number;
}

export interface TopicState {
  readonly phase: TopicPhase;
  /** The server said the topic's data is stale (`bars.status`); it says `live` again when it recovers. */
  readonly stale: boolean;
  /** Gaps the server could not replay that the client filled from history: the series stayed exact. */
  readonly reloads: number;
  /** Bars whose final update never came (a server that lost it): loaded from history before the next bar. */
  readonly repairs: number;
  /** Gaps nobody could fill (history refused or unreachable); `hole` is the last. Reload your history. */
  readonly lost: number;
  readonly hole?: SeriesHole;
}

export const IDLE: TopicState = { phase: 'idle', stale: false, reloads: 0, repairs: 0, lost: 0 };
