import { describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import { pruneCutoffs } from '../../src/domain/retention.js';
import { pruneOnSchedule, type PruneOutcome } from '../../src/streams/retention-prune.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('pruneCutoffs', () => {
  it('cuts trades hours back and bars days back', () => {
    expect(pruneCutoffs(10 * DAY, { tradeHours: 48, barDays: 7, resolutions: ['1', '60'] })).toEqual({ tradesBefore: 8 * DAY, barsBefore: 3 * DAY });
  });

  it('keeps the trades of a bar that may still be forming at any configured resolution', () => {
    const now = Date.UTC(2026, 0, 20, 12, 30);
    expect(pruneCutoffs(now, { tradeHours: 48, barDays: 0, resolutions: ['5', '1M'] }).tradesBefore).toBe(Date.UTC(2026, 0, 1));
    expect(pruneCutoffs(now, { tradeHours: 48, barDays: 0, resolutions: ['1W'] }).tradesBefore).toBe(Date.UTC(2026, 0, 12)); // Monday
    expect(pruneCutoffs(now + 17 * 60_000, { tradeHours: 1, barDays: 0, resolutions: ['15'] }).tradesBefore).toBe(Date.UTC(2026, 0, 20, 11, 45));
  });

  it('keeps every bar when bar retention is 0', () => {
    expect(pruneCutoffs(10 * DAY, { tradeHours: 1, barDays: 0, resolutions: [] }).barsBefore).toBe(Number.MIN_SAFE_INTEGER);
  });
});

describe('pruneOnSchedule', () => {
  const retention = { tradeHours: 1, barDays: 1, resolutions: ['1' as const] };
  const cutoffsAt = (now: number) => pruneCutoffs(now, retention);

  it('prunes at once, then every period, with cut-offs from the scheduler clock', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const calls: number[][] = [];
      const target = {
        prune: (tradesBefore: number, barsBefore: number) => {
          calls.push([tradesBefore, barsBefore]);
          return cold('--(r|)', { r: { trades: 3, bars: 1 } });
        },
      };
      const pruned = (now: number): PruneOutcome => ({ kind: 'pruned', cutoffs: cutoffsAt(now), trades: 3, bars: 1 });
      expectObservable(pruneOnSchedule(target, retention, scheduler, 10), '^ 25ms !').toBe('--a 9ms b 9ms c', { a: pruned(0), b: pruned(10), c: pruned(20) });
      scheduler.flush();
      expect(calls).toEqual([0, 10, 20].map((now) => [cutoffsAt(now).tradesBefore, cutoffsAt(now).barsBefore]));
    });
  });

  it('skips a tick while the previous prune still runs, rather than running two', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('15ms (r|)', { r: { trades: 1, bars: 0 } });
      const target = { prune: () => slow };
      expectObservable(pruneOnSchedule(target, retention, scheduler, 10), '^ 35ms !').toBe('15ms a 19ms b', {
        a: { kind: 'pruned', cutoffs: cutoffsAt(0), trades: 1, bars: 0 },
        b: { kind: 'pruned', cutoffs: cutoffsAt(20), trades: 1, bars: 0 },
      });
      expectSubscriptions(slow.subscriptions).toBe(['^ 14ms !', '20ms ^ 14ms !']);
    });
  });

  it('reports a failed prune and keeps the schedule', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      let call = 0;
      const target = {
        prune: (): Observable<{ trades: number; bars: number }> =>
          (call += 1) === 1 ? cold('-#', undefined, new Error('disk full')) : cold('-(r|)', { r: { trades: 0, bars: 0 } }),
      };
      expectObservable(pruneOnSchedule(target, retention, scheduler, 10), '^ 15ms !').toBe('-a 9ms b', {
        a: { kind: 'prune_failed', cutoffs: cutoffsAt(0), reason: 'disk full' },
        b: { kind: 'pruned', cutoffs: cutoffsAt(10), trades: 0, bars: 0 },
      });
    });
  });

  it('stops pruning when unsubscribed', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const prune = cold('-(r|)', { r: { trades: 0, bars: 0 } });
      expectObservable(pruneOnSchedule({ prune: () => prune }, retention, scheduler, 10), '^ 5ms !').toBe('-a', {
        a: { kind: 'pruned', cutoffs: cutoffsAt(0), trades: 0, bars: 0 },
      });
      expectSubscriptions(prune.subscriptions).toBe(['^!']);
    });
  });
});
