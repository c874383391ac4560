import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketClock, fillBucket, takeToken, type RateVerdict, type TokenBucket } from '../../../src/transport/ws/rate-limit.js';

function limiter(options: { messagesPerSecond: number; messageBurst: number; rateLimitCloseAfter: number }) {
  let time = 0;
  const limits = { ...options, now: () => time };
  const bucket: TokenBucket = { tokens: 0, updatedAt: 0 };
  fillBucket(bucket, limits);
  return {
    take: (): RateVerdict => takeToken(bucket, limits),
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('takeToken', () => {
  it('accepts a burst, then rejects until tokens refill', () => {
    const bucket = limiter({ messagesPerSecond: 10, messageBurst: 3, rateLimitCloseAfter: 100 });
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual(['accept', 'accept', 'accept', 'reject']);
    // One rejected message owes a token: 100 ms refills it, the next 100 ms pays for a new one.
    bucket.advance(100);
    expect(bucket.take()).toBe('reject');
    bucket.advance(250);
    expect(bucket.take()).toBe('accept');
  });

  it('answers close once sustained flooding has run up closeAfter rejected messages', () => {
    const bucket = limiter({ messagesPerSecond: 10, messageBurst: 2, rateLimitCloseAfter: 5 });
    const verdicts = Array.from({ length: 7 }, () => bucket.take());
    expect(verdicts).toEqual(['accept', 'accept', 'reject', 'reject', 'reject', 'reject', 'close']);
  });

  it('closes at the same message when a sliver of refill arrives in between', () => {
    const bucket = limiter({ messagesPerSecond: 10, messageBurst: 2, rateLimitCloseAfter: 5 });
    const verdicts = Array.from({ length: 7 }, () => {
      bucket.advance(1);
      return bucket.take();
    });
    expect(verdicts).toEqual(['accept', 'accept', 'reject', 'reject', 'reject', 'reject', 'close']);
  });

  it('never lets more than burst + rate x elapsed messages through', () => {
    fc.assert(
      fc.property(
        fc.record({ messagesPerSecond: fc.integer({ min: 1, max: 100 }), messageBurst: fc.integer({ min: 1, max: 50 }) }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 300 }),
        ({ messagesPerSecond, messageBurst }, gaps) => {
          const bucket = limiter({ messagesPerSecond, messageBurst, rateLimitCloseAfter: Number.MAX_SAFE_INTEGER });
          let elapsed = 0;
          let accepted = 0;
          for (const gap of gaps) {
            bucket.advance(gap);
            elapsed += gap;
            if (bucket.take() === 'accept') accepted += 1;
          }
          expect(accepted).toBeLessThanOrEqual(messageBurst + (elapsed * messagesPerSecond) / 1000 + 1e-9);
        },
      ),
    );
  });

  it('always accepts a sender that stays under the rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 200 }), (messagesPerSecond, count) => {
        const bucket = limiter({ messagesPerSecond, messageBurst: 1, rateLimitCloseAfter: 1 });
        for (let index = 0; index < count; index += 1) {
          expect(bucket.take()).toBe('accept');
          bucket.advance(Math.ceil(1000 / messagesPerSecond));
        }
      }),
    );
  });
});

describe('bucketClock', () => {
  it('counts milliseconds from its own start, so a bucket keeps small integers', () => {
    let time = 1_764_000_000_000;
    const clock = bucketClock(() => time);
    expect(clock()).toBe(0);
    time += 1_500;
    expect(clock()).toBe(1_500);
  });
});
