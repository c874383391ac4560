import { take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_BACKOFF, reconnectDelay, reconnectWithBackoff } from '../../src/client/reconnect-with-backoff.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const policy = { baseMs: 100, maxMs: 1_000, jitter: 0.5 };

describe('reconnectDelay', () => {
  it('doubles per attempt up to the cap, shortened by the jitter share of a random draw', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => reconnectDelay(attempt, policy, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(reconnectDelay(3, policy, () => 0.5)).toBe(300);
    expect(reconnectDelay(3, { ...policy, jitter: 0 }, () => 0.99)).toBe(400);
  });

  it('is full jitter by default: a crowd dropped together comes back spread over the whole delay, from 0 to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, draw) => {
        const ceiling = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.baseMs * 2 ** (attempt - 1));
        expect(reconnectDelay(attempt, DEFAULT_BACKOFF, () => draw)).toBe(Math.round(ceiling * (1 - draw)));
      }),
    );
    // 1,000 clients of one restart: their first retries fill the 500 ms evenly (each 50 ms tenth holds about a tenth).
    const delays = Array.from({ length: 1_000 }, (_, index) => reconnectDelay(1, DEFAULT_BACKOFF, () => (index + 0.5) / 1_000));
    const tenths = Array.from({ length: 10 }, (_, tenth) => delays.filter((delay) => delay >= tenth * 50 && delay < (tenth + 1) * 50).length);
    expect(Math.min(...tenths)).toBeGreaterThanOrEqual(90);
    expect(Math.min(...delays)).toBeLessThan(5);
  });
});

describe('reconnectWithBackoff', () => {
  it('resubscribes after errors with growing delays', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      const retries: number[] = [];
      const result = source.pipe(
        reconnectWithBackoff({ policy: { ...policy, jitter: 0 }, scheduler, random: () => 0, onRetry: (_attempt, delay) => retries.push(delay) }),
      );
      expectObservable(result, '^ 800ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '102ms ^-!', '304ms ^-!', '706ms ^-!']);
      scheduler.flush();
      expect(retries).toEqual([100, 200, 400, 800]);
    });
  });

  it('resubscribes after completion too, and a value resets the backoff', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a|');
      const result = source.pipe(reconnectWithBackoff({ policy, scheduler, random: () => 0.5 }), take(3));
      // every attempt emits, so each wait is the first one: 100 * (1 - 0.5 * 0.5) = 75
      expectObservable(result).toBe('-a 76ms a 76ms (a|)');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '77ms ^-!', '154ms ^!']);
    });
  });
});
