import { hashKey } from './rng.js';

/**
 * How topic ticks are laid out in time: "spread" (each symbol at its own phase of the
 * interval, its resolutions together), "aligned" (every topic at the same instant), or
 * "per-topic" (each topic on its own interval from its first subscriber).
 */
export const TICK_SCHEDULES = ['spread', 'aligned', 'per-topic'] as const;
export type TickSchedule = (typeof TICK_SCHEDULES)[number];

/**
 * Where in the period a group of topics ticks. Topics of different groups (symbols) land at
 * different offsets, so a service with many topics sends small bursts spread over the
 * interval instead of one big burst; topics of one group share an offset, so a client that
 * watches a symbol at several resolutions gets all its updates in the same tick.
 */
export function tickPhase(group: string, periodMs: number): number {
  return Math.floor((hashKey('tick-phase', group) / 2 ** 32) * periodMs);
}

/** Milliseconds from `now` to the next instant on the grid `phaseMs + k * periodMs`; in (0, periodMs]. */
export function delayToNextTick(now: number, periodMs: number, phaseMs: number): number {
  const remainder = (((phaseMs - now) % periodMs) + periodMs) % periodMs;
  return remainder === 0 ? periodMs : remainder;
}
