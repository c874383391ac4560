import { map, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { historicalBar } from '../../src/domain/bar-path.js';
import { mockLastBar } from '../../src/domain/mock-bar.js';
import { barUpdates } from '../../src/streams/bar-stream.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const context = { seed: 7, symbol: 'AAPL', resolution: '1' as const };

describe('barUpdates', () => {
  it('emits the current bar at once on subscribe, then every period', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const updates$ = barUpdates({ ...context, periodMs: 20_000, scheduler, onGeneratorError: () => undefined }).pipe(take(3));
      const first = mockLastBar(undefined, 0, context);
      const second = mockLastBar(first, 20_000, context);
      const third = mockLastBar(second, 40_000, context);
      expectObservable(updates$).toBe('a 19999ms b 19999ms (c|)', { a: { value: first, ts: 0 }, b: { value: second, ts: 20_000 }, c: { value: third, ts: 40_000 } });
    });
  });

  it('closes each bar at its last millisecond on the historical bar, and opens the next on its close', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const seen: ReturnType<typeof mockLastBar>[] = [];
    const stamps: number[] = [];
    scheduler.run(({ flush }) => {
      barUpdates({ ...context, periodMs: 25_000, scheduler, onGeneratorError: () => undefined })
        .pipe(
          take(6),
          map((update) => {
            stamps.push(update.ts);
            return update.value;
          }),
        )
        .subscribe((bar) => seen.push(bar));
      flush();
    });
    expect(stamps.slice(0, 5)).toEqual([0, 25_000, 50_000, 59_999, 75_000]);
    // ticks at 0, 25000, 50000, 59999 (close), 75000 ...
    const closing = seen[3];
    expect(closing).toEqual(historicalBar(context, 0));
    expect(seen[4]?.time).toBe(60_000);
    expect(seen[4]?.open).toBe(historicalBar(context, 1).open);
  });
});
