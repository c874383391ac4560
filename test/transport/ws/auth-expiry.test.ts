import { describe, it } from 'vitest';
import { expiryNotices, timerAt } from '../../../src/transport/ws/auth-expiry.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const values = { e: 'expiring', x: 'expired' } as const;

describe('expiryNotices', () => {
  it('warns warningMs before the expiry and says expired skewMs after it, then completes', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      expectObservable(expiryNotices(100, { warningMs: 30, skewMs: 10 }, scheduler)).toBe('70ms e 39ms (x|)', values);
    });
  });

  it('warns at once when less than warningMs is left', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      expectObservable(expiryNotices(20, { warningMs: 60, skewMs: 0 }, scheduler)).toBe('e 19ms (x|)', values);
    });
  });

  it('is cancelled by unsubscribing (a refresh, or the socket closing)', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      expectObservable(expiryNotices(100, { warningMs: 30, skewMs: 0 }, scheduler), '^ 80ms !').toBe('70ms e', values);
    });
  });
});

describe('timerAt', () => {
  it('waits past the 2^31 ms that setTimeout can take in one step (a 30-day token)', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const thirtyDays = 30 * 24 * 3_600_000;
    scheduler.run(({ expectObservable }) => {
      expectObservable(timerAt(thirtyDays, scheduler)).toBe(`${thirtyDays}ms (0|)`, { 0: 0 });
    });
  });
});
