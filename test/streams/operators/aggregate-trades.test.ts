import fc from 'fast-check';
import { Subject, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import { periodStart, type Resolution } from '../../../src/domain/resolution.js';
import type { Trade } from '../../../src/domain/trade.js';
import { finalAt } from '../../../src/domain/trade-admission.js';
import { foldTrade, type TradeBar } from '../../../src/domain/trade-bar.js';
import type { TopicUpdate } from '../../../src/domain/update.js';
import { aggregateTrades } from '../../../src/streams/operators/aggregate-trades.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const LATENESS = 2_000;
const trade = (time: number, price: number, size = 1): Trade => ({ symbol: 'ACME', price, size, time });
const bar = (time: number, open: number, high: number, low: number, close: number, volume: number): Bar => ({ time, open, high, low, close, volume });
const forming = (value: Bar, ts: number): TopicUpdate<Bar> => ({ value, ts, final: false });
const final = (value: Bar, ts: number): TopicUpdate<Bar> => ({ value, ts, final: true });

describe('aggregateTrades', () => {
  it('sends a forming update per trade and the final at the period end plus the lateness', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const trades = cold('10s a 9999ms b', { a: trade(10_000, 10, 2), b: trade(20_000, 12, 3) });
      expectObservable(trades.pipe(aggregateTrades('1', LATENESS, scheduler))).toBe('10s A 9999ms B 41999ms F', {
        A: forming(bar(0, 10, 10, 10, 10, 2), 10_000),
        B: forming(bar(0, 10, 12, 10, 12, 5), 20_000),
        F: final(bar(0, 10, 12, 10, 12, 5), 62_000),
      });
      expectSubscriptions(trades.subscriptions).toBe('^');
    });
  });

  it('holds a later bar while the earlier one is open; a late trade of the earlier one shows, then its final, then the later bar', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      // a at 0:10; b (1:00.5) of the next minute; c (0:59) of the first, late, at 1:01
      const trades = cold('10s a 50499ms b 499ms c', { a: trade(10_000, 10), b: trade(60_500, 20), c: trade(59_000, 11) });
      expectObservable(trades.pipe(aggregateTrades('1', LATENESS, scheduler))).toBe('10s A 50999ms C 999ms (FB) 59996ms G', {
        A: forming(bar(0, 10, 10, 10, 10, 1), 10_000),
        C: forming(bar(0, 10, 11, 10, 11, 2), 61_000),
        F: final(bar(0, 10, 11, 10, 11, 2), 62_000),
        B: forming(bar(60_000, 20, 20, 20, 20, 1), 62_000),
        G: final(bar(60_000, 20, 20, 20, 20, 1), 122_000),
      });
    });
  });

  it('shows a bar no earlier than its start plus the lateness, and has no bar for a period without trades', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      // One trade at 3:00.5, sent ahead at 0:10; nothing for minutes 0-2.
      const trades = cold('10s a', { a: trade(180_500, 7) });
      expectObservable(trades.pipe(aggregateTrades('1', LATENESS, scheduler))).toBe('182s A 59999ms F', {
        A: forming(bar(180_000, 7, 7, 7, 7, 1), 182_000),
        F: final(bar(180_000, 7, 7, 7, 7, 1), 242_000),
      });
    });
  });

  it('ignores a trade of a bar that is already final', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const trades = cold('10s a 52999ms b', { a: trade(10_000, 10), b: trade(30_000, 99) });
      expectObservable(trades.pipe(aggregateTrades('1', LATENESS, scheduler))).toBe('10s A 51999ms F', {
        A: forming(bar(0, 10, 10, 10, 10, 1), 10_000),
        F: final(bar(0, 10, 10, 10, 10, 1), 62_000),
      });
    });
  });

  it('folds the minutes of a coarser period into one bar, open by trade time', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const trades = cold('10s a 119999ms b 59999ms c', { a: trade(10_000, 10), b: trade(130_000, 14), c: trade(5_000, 9) });
      expectObservable(trades.pipe(aggregateTrades('5', LATENESS, scheduler))).toBe('10s A 119999ms B 59999ms C 111999ms F', {
        A: forming(bar(0, 10, 10, 10, 10, 1), 10_000),
        B: forming(bar(0, 10, 14, 10, 14, 2), 130_000),
        C: forming(bar(0, 9, 14, 9, 14, 3), 190_000),
        F: final(bar(0, 9, 14, 9, 14, 3), 302_000),
      });
    });
  });

  it('waits for the watermark: no final while a trade admitted before its instant is still being committed', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, hot, expectObservable }) => {
      let heldBefore = Number.POSITIVE_INFINITY;
      const released$ = new Subject<void>();
      // A commit admitted at 1:01.5 (before bar 0's final instant, 1:02) hands c over at 1:05 and is released just after.
      hot('61500ms h').subscribe(() => (heldBefore = 61_500));
      const trades = cold('10s a 54999ms c', { a: trade(10_000, 10), c: trade(59_000, 12) });
      hot('65001ms r').subscribe(() => ((heldBefore = Number.POSITIVE_INFINITY), released$.next()));
      expectObservable(trades.pipe(aggregateTrades('1', LATENESS, scheduler, { heldBefore: () => heldBefore, released$ }))).toBe('10s A 54999ms CF', {
        A: forming(bar(0, 10, 10, 10, 10, 1), 10_000),
        C: forming(bar(0, 10, 12, 10, 12, 2), 65_000),
        F: final(bar(0, 10, 12, 10, 12, 2), 65_001),
      });
    });
  });

  it('folds a batch of trades whole: one forming update with all of them, then the final', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      // One commit: three trades of minute 0 (arriving out of time order) and one of minute 1, held.
      const trades = cold<Trade | readonly Trade[]>('10s a', { a: [trade(10_000, 10), trade(5_000, 9, 2), trade(12_000, 13), trade(60_500, 20)] });
      expectObservable(trades.pipe(aggregateTrades('1', LATENESS, scheduler))).toBe('10s A 51999ms (FB) 59996ms G', {
        A: forming(bar(0, 9, 13, 9, 13, 4), 10_000),
        F: final(bar(0, 9, 13, 9, 13, 4), 62_000),
        B: forming(bar(60_000, 20, 20, 20, 20, 1), 62_000),
        G: final(bar(60_000, 20, 20, 20, 20, 1), 122_000),
      });
    });
  });

  it('never asks for a timer longer than Node can wait (a month bar), and still goes final on time', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const delays: number[] = [];
    const schedule = scheduler.schedule.bind(scheduler);
    const recording: SchedulerLike = {
      now: () => scheduler.now(),
      schedule: ((...args: Parameters<typeof schedule>) => (delays.push(args[1] ?? 0), schedule(...args))) as SchedulerLike['schedule'],
    };
    const february = Date.UTC(1970, 1, 1);
    scheduler.run(({ cold, expectObservable }) => {
      const trades = cold('10s a', { a: trade(10_000, 10) });
      expectObservable(trades.pipe(aggregateTrades('1M', LATENESS, recording))).toBe(`10s A ${february + LATENESS - 10_001}ms F`, {
        A: forming(bar(0, 10, 10, 10, 10, 1), 10_000),
        F: final(bar(0, 10, 10, 10, 10, 1), february + LATENESS),
      });
    });
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('releases its trades and its timer when unsubscribed', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const trades = cold('10s a', { a: trade(10_000, 10) });
      expectObservable(trades.pipe(aggregateTrades('1', LATENESS, scheduler)), '^ 30s !').toBe('10s A', { A: forming(bar(0, 10, 10, 10, 10, 1), 10_000) });
      expectSubscriptions(trades.subscriptions).toBe('^ 30s !');
    });
  });
});

describe('aggregateTrades, for any admitted trades', () => {
  it('streams in period order, never changes a final, and each final is the fold of all its trades', () => {
    // Trades that admission lets through: sent before their minute's final instant, at most 5 s ahead.
    const admitted = fc
      .record({ time: fc.integer({ min: 0, max: 600_000 }), delay: fc.integer({ min: -5_000, max: 61_999 }), price: fc.integer({ min: 1, max: 500 }), size: fc.integer({ min: 0, max: 9 }) })
      .map(({ time, delay, price, size }) => {
        const arrival = Math.max(0, Math.min(time + delay, finalAt(time, LATENESS) - 1));
        return { arrival, trade: trade(time, price, size) };
      });
    fc.assert(
      fc.property(fc.array(admitted, { maxLength: 40 }), fc.constantFrom<Resolution>('1', '5', '60'), (sent, resolution) => {
        const scheduler = marbleScheduler(vitestEqual);
        const updates: TopicUpdate<Bar>[] = [];
        const arrived: Trade[] = [];
        scheduler.run(() => {
          const trades = new Subject<Trade>();
          trades.pipe(aggregateTrades(resolution, LATENESS, scheduler)).subscribe((update) => updates.push(update));
          for (const { arrival, trade: sentTrade } of sent) scheduler.schedule(() => (arrived.push(sentTrade), trades.next(sentTrade)), arrival);
        });
        const times = updates.map((update) => update.value.time);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        const finals = updates.filter((update) => update.final);
        for (const closed of finals) expect(updates.filter((update) => update.value.time === closed.value.time).at(-1)).toBe(closed);
        const periods = new Set(sent.map(({ trade: sentTrade }) => periodStart(resolution, sentTrade.time)));
        expect(finals.map((update) => update.value.time)).toEqual([...periods].sort((a, b) => a - b));
        for (const closed of finals) {
          const folded = arrived.filter((t) => periodStart(resolution, t.time) === closed.value.time).reduce<TradeBar | undefined>((bar, t) => foldTrade(bar, t, closed.value.time), undefined);
          expect(closed.value).toEqual(folded?.bar);
        }
      }),
      { numRuns: 200 },
    );
  });
});
