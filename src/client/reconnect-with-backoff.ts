import { defer, type MonoTypeOperatorFunction, repeat, retry, type SchedulerLike, tap, timer } from 'rxjs';
import { backoffDelay } from '../domain/backoff.js';

export interface BackoffPolicy {
  /** Delay before the first retry, in ms; doubled per failed attempt. */
  readonly baseMs: number;
  /** Longest delay between two attempts, in ms. */
  readonly maxMs: number;
  /**
   * Share of each delay that is random, 0..1: clients dropped together must not return
   * together. 1 (the default) is "full jitter": each wait is anywhere from 0 to the backoff.
   */
  readonly jitter: number;
}

/**
 * Full jitter by default: when a gateway restarts, every client it had is dropped at the same
 * instant. With half the delay jittered they would all come back within the second half of
 * 500 ms, twice as dense as needed, and again together at each later attempt; with the whole
 * delay random they spread evenly over it, and the server's handshake queue sees a ramp, not
 * a wall (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000, jitter: 1 };

/** The wait before retry number `attempt` (1-based): exponential, capped, then shortened by up to `jitter` of it at random. */
export function reconnectDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.round(backoffDelay(attempt, policy.baseMs, policy.maxMs) * (1 - policy.jitter * random()));
}

export interface ReconnectOptions {
  readonly policy: BackoffPolicy;
  readonly scheduler: SchedulerLike;
  readonly random: () => number;
  /** Told before each wait, e.g. to report `reconnecting`. */
  readonly onRetry?: (attempt: number, delayMs: number) => void;
}

/**
 * Resubscribes the source whenever it errors or completes (a socket closed by the server
 * completes), after a jittered exponential backoff. A value from the source proves the
 * connection works, so the next failure starts again from the base delay.
 *
 * ```
 * source:  --a--#               (per subscription)
 * result:  --a--  75ms  --a-- 75ms ...    (baseMs 100, jitter .5, random .5; reset by `a`)
 * ```
 */
export function reconnectWithBackoff<T>(options: ReconnectOptions): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let attempt = 0;
      const wait = () => {
        attempt += 1;
        const delayMs = reconnectDelay(attempt, options.policy, options.random);
        options.onRetry?.(attempt, delayMs);
        return timer(delayMs, options.scheduler);
      };
      return source.pipe(
        tap(() => {
          attempt = 0;
        }),
        repeat({ delay: wait }),
        retry({ delay: wait }),
      );
    });
}
