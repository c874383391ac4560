import { TICK_SCHEDULES, type TickSchedule } from '../../domain/tick-phase.js';
import { range } from './formats.js';

/** How updates reach the sockets: the tick schedule, compression, stale topics. */
export const fanoutSchema = {
  tickSchedule: {
    doc:
      'When topics tick: "spread" (each symbol at its own offset in the interval, its resolutions together), ' +
      '"aligned" (every topic at the same instant), or "per-topic" (each topic an interval from its first subscriber).',
    format: TICK_SCHEDULES,
    default: 'spread',
    env: 'FANOUT_TICK_SCHEDULE',
  },
  perMessageDeflate: {
    doc: 'Offer permessage-deflate. Off: bar frames are small, and compressing per socket costs more CPU than it saves.',
    format: Boolean,
    default: false,
    env: 'FANOUT_PERMESSAGE_DEFLATE',
  },
  staleAfterIntervals: {
    doc:
      'A bars topic with no update for this many intervals is declared stale: its subscribers get a bars.status ' +
      'message and GET /ready answers 503 until it flows again (0-1000). 0 turns the check off.',
    format: range('int', 0, 1_000),
    default: 3,
    env: 'FANOUT_STALE_AFTER_INTERVALS',
  },
};

export interface FanoutConfig {
  readonly tickSchedule: TickSchedule;
  readonly perMessageDeflate: boolean;
  readonly staleAfterIntervals: number;
}
