/** What to do with one incoming message. */
export type RateVerdict = 'accept' | 'reject' | 'close';

export interface RateLimitOptions {
  /** Tokens added per second: the sustained message rate. */
  readonly messagesPerSecond: number;
  /** Bucket size: how many messages may arrive at once. */
  readonly messageBurst: number;
  /** Debt (rejected messages not yet paid back by refill) at which the sender is cut off. */
  readonly rateLimitCloseAfter: number;
  /** Milliseconds clock; injected so tests step it by hand. */
  readonly now: () => number;
}

/**
 * A token bucket for one connection's messages. Every message costs a token, rejected ones
 * too: a sender over the rate goes into debt, so a brief burst is paid back by waiting,
 * while sustained abuse only deepens the debt until it reaches `rateLimitCloseAfter` and the
 * connection is closed. The state is two numbers; no timer runs.
 */
export class MessageRateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly options: RateLimitOptions) {
    this.tokens = options.messageBurst;
    this.updatedAt = options.now();
  }

  take(): RateVerdict {
    const { messagesPerSecond, messageBurst, rateLimitCloseAfter, now } = this.options;
    const time = now();
    const elapsed = Math.max(0, time - this.updatedAt);
    this.updatedAt = time;
    this.tokens = Math.min(messageBurst, this.tokens + (elapsed * messagesPerSecond) / 1000);
    this.tokens -= 1;
    if (this.tokens >= 0) return 'accept';
    // Debt rounded up: a sliver of refill between two messages must not buy an extra one.
    return Math.ceil(-this.tokens) >= rateLimitCloseAfter ? 'close' : 'reject';
  }
}
