/** What to do with one incoming message. */
export type RateVerdict = 'accept' | 'reject' | 'close';

export interface RateLimitOptions {
  /** Tokens added per second: the sustained message rate. */
  readonly messagesPerSecond: number;
  /** Bucket size: how many messages may arrive at once. */
  readonly messageBurst: number;
  /** Debt (rejected messages not yet paid back by refill) at which the sender is cut off. */
  readonly rateLimitCloseAfter: number;
  /** Milliseconds clock; injected so tests step it by hand (connections use `bucketClock`). */
  readonly now: () => number;
}

/**
 * The state of one connection's token bucket: two numbers, kept as fields of the object that
 * owns them (the Session) rather than in an object of their own, which would cost every
 * connection an object header and a pointer (about 56 bytes) for the same two numbers.
 */
export interface TokenBucket {
  tokens: number;
  updatedAt: number;
}

/** A full bucket, as a connection starts with. */
export function fillBucket(bucket: TokenBucket, options: RateLimitOptions): void {
  bucket.tokens = options.messageBurst;
  bucket.updatedAt = options.now();
}

/**
 * Takes a token for one message. Every message costs a token, rejected ones too: a sender
 * over the rate goes into debt, so a brief burst is paid back by waiting, while sustained
 * abuse only deepens the debt until it reaches `rateLimitCloseAfter` and the connection is
 * closed. No timer runs.
 */
export function takeToken(bucket: TokenBucket, options: RateLimitOptions): RateVerdict {
  const { messagesPerSecond, messageBurst, rateLimitCloseAfter, now } = options;
  const time = now();
  const elapsed = Math.max(0, time - bucket.updatedAt);
  bucket.updatedAt = time;
  bucket.tokens = Math.min(messageBurst, bucket.tokens + (elapsed * messagesPerSecond) / 1000);
  bucket.tokens -= 1;
  if (bucket.tokens >= 0) return 'accept';
  // Debt rounded up: a sliver of refill between two messages must not buy an extra one.
  return Math.ceil(-bucket.tokens) >= rateLimitCloseAfter ? 'close' : 'reject';
}

/**
 * Milliseconds since this clock was made, on `now`'s scale. Buckets keep their times on it so
 * that a time is a small integer, which V8 keeps in the field itself, where an epoch time in
 * milliseconds (over 2^31) needs a 16-byte heap number per connection.
 */
export function bucketClock(now: () => number): () => number {
  const epoch = now();
  return () => now() - epoch;
}
