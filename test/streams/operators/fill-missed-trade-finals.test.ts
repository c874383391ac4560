import { describe, expect, it } from 'vitest';
import type { Observable} from 'rxjs';
import { of, throwError } from 'rxjs';
import type { Bar } from '../../../src/domain/bar.js';
import type { TopicUpdate } from '../../../src/domain/update.js';
import { fillMissedTradeFinals, type StoredFinals } from '../../../src/streams/operators/fill-missed-trade-finals.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const MINUTE = 60_000;
const bar = (minute: number, close = minute): Bar => ({ time: minute * MINUTE, open: 1, high: 100, low: 0, close, volume: 1 });
const at = (minute: number, ts: number, extra: Partial<TopicUpdate<Bar>> = {}): TopicUpdate<Bar> => ({ value: bar(minute), ts, ...extra });
const stored = (minute: number): TopicUpdate<Bar> => ({ value: bar(minute, 1_000 + minute), ts: (minute + 1) * MINUTE - 1, final: true, replay: true });

/** A store holding the finals of `minutes` (close 1000 + minute) from the `readable`-th read on; every read is recorded. */
function store(minutes: readonly number[], readable = 1): StoredFinals & { reads: [number, number][] } {
  const reads: [number, number][] = [];
  const read = (from: number, to: number): Observable<readonly Bar[]> => {
    reads.push([from, to]);
    const bars = reads.length >= readable ? minutes.map((minute) => bar(minute, 1_000 + minute)).filter((b) => b.time >= from && b.time < to) : [];
    return of(bars);
  };
  return Object.assign(read, { reads });
}

const options = (scheduler: ReturnType<typeof marbleScheduler>) => ({ maxBars: 100, scheduler, retryMs: 10, retries: 3 });

describe('fillMissedTradeFinals', () => {
  it("sends a lost final from the store before the later bar, waiting for the store to have it, and later updates wait in order", () => {
    const scheduler = marbleScheduler(vitestEqual);
    // The store has minute 1's final from its third read (20 ms after the first).
    const finals = store([1], 3);
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a 9ms b 4ms c 29ms d|', { a: at(1, MINUTE + 5), b: at(3, 3 * MINUTE + 5), c: at(3, 3 * MINUTE + 9), d: at(3, 4 * MINUTE - 1, { final: true }) });
      expectObservable(source.pipe(fillMissedTradeFinals('1', finals, options(scheduler)))).toBe('a 29ms (xbc) 10ms d|', {
        a: at(1, MINUTE + 5),
        x: stored(1),
        b: at(3, 3 * MINUTE + 5),
        c: at(3, 3 * MINUTE + 9),
        d: at(3, 4 * MINUTE - 1, { final: true }),
      });
    });
    expect(finals.reads).toEqual([
      [MINUTE, 3 * MINUTE],
      [MINUTE, 3 * MINUTE],
      [MINUTE, 3 * MINUTE],
    ]);
  });

  it('reads nothing while every bar closes on the stream, and a jump over periods without trades costs one read', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const finals = store([]);
    scheduler.run(({ cold, expectObservable }) => {
      const values = { a: at(1, MINUTE + 5), b: at(1, 2 * MINUTE - 1, { final: true }), c: at(2, 2 * MINUTE + 3), d: at(2, 3 * MINUTE - 1, { final: true }), e: at(7, 7 * MINUTE + 1) };
      expectObservable(cold('a-b-c-d-e|', values).pipe(fillMissedTradeFinals('1', finals, options(scheduler)))).toBe('a-b-c-d-e|', values);
    });
    expect(finals.reads).toEqual([[3 * MINUTE, 7 * MINUTE]]);
  });

  it('fills a whole bar lost between a final and a later bar, when the store has one', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b 5ms |', { a: at(1, 2 * MINUTE - 1, { final: true }), b: at(4, 4 * MINUTE + 1) });
      expectObservable(source.pipe(fillMissedTradeFinals('1', store([2]), options(scheduler)))).toBe('a-(xb) 2ms |', {
        a: at(1, 2 * MINUTE - 1, { final: true }),
        x: stored(2),
        b: at(4, 4 * MINUTE + 1),
      });
    });
  });

  it('gives up after its retries, or when the store fails, and goes on with the stream (a gap, as before)', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const never = store([]);
    scheduler.run(({ cold, expectObservable }) => {
      const values = { a: at(1, MINUTE + 5), b: at(3, 3 * MINUTE + 5) };
      expectObservable(cold('a-b|', values).pipe(fillMissedTradeFinals('1', never, options(scheduler)))).toBe('a 31ms (b|)', values);
      const failing: StoredFinals = () => throwError(() => new Error('store down'));
      expectObservable(cold('a-b|', values).pipe(fillMissedTradeFinals('1', failing, options(scheduler)))).toBe('a 31ms (b|)', values);
    });
    expect(never.reads).toHaveLength(4);
  });

  it('passes a late copy of an earlier bar through without reading', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const finals = store([1]);
    scheduler.run(({ cold, expectObservable }) => {
      const values = { a: at(2, 2 * MINUTE + 5), b: at(1, MINUTE + 30) };
      expectObservable(cold('a-b|', values).pipe(fillMissedTradeFinals('1', finals, options(scheduler)))).toBe('a-b|', values);
    });
    expect(finals.reads).toEqual([]);
  });
});
