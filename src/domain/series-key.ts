import type { Resolution } from './resolution.js';

/**
 * Which mock series a bar belongs to. Every file of the generator (day-bar, bar-tree, bar-path,
 * history, mock-bar) is keyed by these, so they live here, beneath all of them: the generator's
 * dependencies then run one way, from the live bar down to the day bars.
 */
export interface SeriesKey {
  readonly seed: number;
  readonly symbol: string;
}

/** One resolution of a series: what the generator and history are asked for. */
export interface MockBarContext extends SeriesKey {
  readonly resolution: Resolution;
}
