import { describe, it } from 'vitest';
import { conflate } from '../../../src/streams/operators/conflate.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

describe('conflate', () => {
  it('passes the first value at once, then only the latest of each period', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-------d-|').pipe(conflate(4, scheduler))).toBe('-a---c-------d-|');
    });
  });

  it('keeps the last value when the source completes inside a period, sending it at the period end', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|').pipe(conflate(10, scheduler))).toBe('a 9ms (b|)');
    });
  });

  it('lets a slow source through untouched', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-----b-----c|').pipe(conflate(3, scheduler))).toBe('a-----b-----c|');
    });
  });
});
