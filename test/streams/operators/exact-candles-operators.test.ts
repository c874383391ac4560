import { describe, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import type { TopicUpdate } from '../../../src/domain/update.js';
import { closeEveryPeriod } from '../../../src/streams/operators/close-every-period.js';
import { fillMissedFinals } from '../../../src/streams/operators/fill-missed-finals.js';
import { markFinals } from '../../../src/streams/operators/mark-finals.js';
import { numberUpdates } from '../../../src/streams/operators/number-updates.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const MINUTE = 60_000;
const bar = (minute: number, close = minute): Bar => ({ time: minute * MINUTE, open: 1, high: 100, low: 0, close, volume: 1 });
const at = (minute: number, ts: number, extra: Partial<TopicUpdate<Bar>> = {}): TopicUpdate<Bar> => ({ value: bar(minute), ts, ...extra });

describe('markFinals', () => {
  it("marks the update at a bar's last millisecond final, and drops a second one of that bar at that instant", () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-e|', { a: at(0, 10), b: at(0, MINUTE - 1), c: at(0, MINUTE - 1), d: at(1, MINUTE), e: at(1, 2 * MINUTE - 1) });
      expectObservable(source.pipe(markFinals('1'))).toBe('a-b---d-e|', {
        a: at(0, 10, { final: false }),
        b: at(0, MINUTE - 1, { final: true }),
        d: at(1, MINUTE, { final: false }),
        e: at(1, 2 * MINUTE - 1, { final: true }),
      });
    });
  });
});

describe('numberUpdates', () => {
  it('numbers from 1 in an epoch made per subscription, so a restarted stream says so', () => {
    let epochs = 0;
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b|', { a: at(0, 1), b: at(0, 2) });
      const numbered = source.pipe(numberUpdates(() => `e${(epochs += 1)}`));
      expectObservable(numbered).toBe('a-b|', { a: at(0, 1, { seq: 1, epoch: 'e1' }), b: at(0, 2, { seq: 2, epoch: 'e1' }) });
      expectObservable(numbered, '----^').toBe('----a-b|', { a: at(0, 1, { seq: 1, epoch: 'e2' }), b: at(0, 2, { seq: 2, epoch: 'e2' }) });
    });
  });
});

describe('fillMissedFinals', () => {
  const history = (first: number, end: number): Bar[] => Array.from({ length: end - first }, (_, index) => bar(first + index, 1_000 + first + index));
  const filled = (minute: number): TopicUpdate<Bar> => ({ value: bar(minute, 1_000 + minute), ts: (minute + 1) * MINUTE - 1, final: true, replay: true });

  it("closes from history a bar whose final never came, and every bar skipped whole, before the later bar", () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a 9ms b 9ms c|', { a: at(1, MINUTE + 5), b: at(3, 3 * MINUTE + 5), c: at(3, 3 * MINUTE + 9) });
      expectObservable(source.pipe(fillMissedFinals('1', history, 100))).toBe('a 9ms (xyb) 5ms c|', {
        a: at(1, MINUTE + 5),
        x: filled(1),
        y: filled(2),
        b: at(3, 3 * MINUTE + 5),
        c: at(3, 3 * MINUTE + 9),
      });
    });
  });

  it('adds nothing while every bar closes on the stream itself', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const values = { a: at(1, MINUTE + 5), b: at(1, 2 * MINUTE - 1, { final: true }), c: at(2, 2 * MINUTE) };
      expectObservable(cold('a-b-c|', values).pipe(fillMissedFinals('1', history, 100))).toBe('a-b-c|', values);
    });
  });

  it('fills at most maxBars, the latest, after a long outage', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a 9ms b 9ms |', { a: at(1, MINUTE + 5, { final: false }), b: at(10, 10 * MINUTE + 5) });
      expectObservable(source.pipe(fillMissedFinals('1', history, 2))).toBe('a 9ms (xyb) 5ms |', {
        a: at(1, MINUTE + 5, { final: false }),
        x: filled(8),
        y: filled(9),
        b: at(10, 10 * MINUTE + 5),
      });
    });
  });
});

describe('closeEveryPeriod', () => {
  it('puts a late close before the tick that overtook it, and drops the late timer', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const times = { a: 1_000, b: MINUTE + 3, c: MINUTE - 1, d: MINUTE + 1_000, e: 3 * MINUTE + 5 };
      expectObservable(cold('a 9ms b 9ms c 9ms d 9ms e 9ms |', times).pipe(closeEveryPeriod('1'))).toBe('a 9ms (xb) 16ms d 9ms (yze) 5ms |', {
        ...times,
        x: MINUTE - 1,
        y: 2 * MINUTE - 1,
        z: 3 * MINUTE - 1,
      });
    });
  });
});
