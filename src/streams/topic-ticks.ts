import type { Observable, SchedulerLike } from 'rxjs';
import { tickPhase, type TickSchedule } from '../domain/tick-phase.js';
import type { BarsTopic } from '../domain/topic.js';
import { TickGrid } from './tick-grid.js';

/**
 * The tick source of each bars topic for a `fanout.tickSchedule`, as barsTopicKind options:
 * "spread" puts each symbol on its own phase of a shared grid, "aligned" puts every topic on
 * phase 0, and "per-topic" leaves each topic its own interval (no option at all).
 */
export function topicTicks(
  schedule: TickSchedule,
  periodMs: number,
  scheduler: SchedulerLike,
): { ticks?: (params: BarsTopic) => Observable<unknown> } {
  if (schedule === 'per-topic') return {};
  const grid = new TickGrid(periodMs, scheduler);
  if (schedule === 'aligned') return { ticks: () => grid.ticks(0) };
  return { ticks: ({ symbol }) => grid.ticks(tickPhase(symbol, periodMs)) };
}
