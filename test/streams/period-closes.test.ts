import { take } from 'rxjs';
import { describe, it } from 'vitest';
import { periodCloses } from '../../src/streams/period-closes.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

describe('periodCloses', () => {
  it('emits the last millisecond of each period when it is due', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      expectObservable(periodCloses('1', scheduler).pipe(take(3))).toBe('59999ms a 59999ms b 59999ms (c|)', {
        a: 59_999,
        b: 119_999,
        c: 179_999,
      });
    });
  });

  it('counts from the clock at subscribe time, mid-period', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      expectObservable(periodCloses('5', scheduler).pipe(take(2)), '250000ms ^').toBe('250000ms 49999ms a 299999ms (b|)', {
        a: 299_999,
        b: 599_999,
      });
    });
  });
});
