import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import { sma } from '../../../src/streams/operators/sma.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const at = (time: number, close: number): Bar => ({ time, open: close, high: close, low: close, close, volume: 1 });

describe('sma', () => {
  it('averages the closes of the last `length` bars, the bar in progress counting with its latest close', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-e|', { a: at(0, 10), b: at(0, 12), c: at(1, 14), d: at(2, 16), e: at(2, 20) });
      expectObservable(source.pipe(sma(2))).toBe('----c-d-e|', {
        c: { time: 1, value: 13 },
        d: { time: 2, value: 15 },
        e: { time: 2, value: 17 },
      });
    });
  });

  it('with length 1 follows the close', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b|', { a: at(0, 10), b: at(1, 11) });
      expectObservable(source.pipe(sma(1))).toBe('a-b|', { a: { time: 0, value: 10 }, b: { time: 1, value: 11 } });
    });
  });

  it('ignores a bar older than the current one', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|', { a: at(5, 10), b: at(4, 99), c: at(6, 20) });
      expectObservable(source.pipe(sma(2))).toBe('----c|', { c: { time: 6, value: 15 } });
    });
  });

  it('rejects a length that is not a positive integer', () => {
    expect(() => sma(0)).toThrow(RangeError);
    expect(() => sma(2.5)).toThrow(/positive integer/);
  });
});
