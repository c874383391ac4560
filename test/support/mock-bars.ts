import type { Bar } from '../../src/domain/bar.js';
import { mockLastBar, type MockBarContext } from '../../src/domain/mock-bar.js';

/** The bars a topic's generator makes when its interval ticks every `periodMs` from time 0. */
export function generatedBars(ticks: number, periodMs: number, context: MockBarContext): Bar[] {
  const bars: Bar[] = [];
  for (let tick = 1; tick <= ticks; tick += 1) bars.push(mockLastBar(bars.at(-1), tick * periodMs, context));
  return bars;
}
