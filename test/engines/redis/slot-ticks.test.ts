import { mergeMap, take } from 'rxjs';
import { describe, it } from 'vitest';
import { slotTicks } from '../../../src/engines/redis/slot-ticks.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

describe('slotTicks', () => {
  it('emits each slot number as the slot begins on the clock, not a period after subscribing', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const subscribedAt3$ = cold('---x|').pipe(mergeMap(() => slotTicks(10, scheduler).pipe(take(3))));
      expectObservable(subscribedAt3$).toBe('10ms a 9ms b 9ms (c|)', { a: 1, b: 2, c: 3 });
    });
  });

  it('waits a whole slot when subscribed exactly at a slot boundary', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const subscribedAt20$ = cold('20ms x|').pipe(mergeMap(() => slotTicks(10, scheduler).pipe(take(2))));
      expectObservable(subscribedAt20$).toBe('30ms a 9ms (b|)', { a: 3, b: 4 });
    });
  });
});
