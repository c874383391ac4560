import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { tickPhase } from '../src/domain/tick-phase.js';
import { marbleScheduler } from '../src/testing/index.js';
import { vitestEqual } from './support/vitest-equal.js';

/**
 * The app's topics tick as `fanout.tickSchedule` says (interval 100 ms). Every subscriber also
 * gets the current bar at once (the snapshot on subscribe), then the scheduled ticks.
 */
function appOn(tickSchedule: string, scheduler: ReturnType<typeof marbleScheduler>) {
  const config = loadConfig({
    env: { NODE_ENV: 'test' },
    overrides: { broadcaster: { interval: 0.1, resolutions: ['1', '5'] }, fanout: { tickSchedule } },
  });
  return createApp(config, { scheduler });
}

describe('topic tick schedules in the app', () => {
  it('spread: a symbol ticks at its phase, all its resolutions together, whenever they subscribed', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const phase = tickPhase('AAPL', 100);
    scheduler.run(({ expectObservable }) => {
      const app = appOn('spread', scheduler);
      const tick = map(() => 't');
      expectObservable(app.hub.bars$('AAPL', '1').pipe(tick), '^ 199ms !').toBe(`t ${phase - 1}ms t 99ms t`);
      expectObservable(app.hub.bars$('AAPL', '5').pipe(tick), `${phase + 1}ms ^ 150ms !`).toBe(`${phase + 1}ms t 98ms t`);
    });
  });

  it('per-topic: each topic ticks a period after its first subscriber', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const app = appOn('per-topic', scheduler);
      expectObservable(app.hub.bars$('MSFT', '1').pipe(map(() => 't')), '30ms ^ 150ms !').toBe('30ms t 99ms t');
    });
  });
});
