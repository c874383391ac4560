import { requestError, type RequestError } from './errors.js';
import { nextPeriodStart } from './resolution.js';
import type { Trade } from './trade.js';

/** What a trade is admitted against: the INGEST_* settings and the trade-fed symbols. */
export interface AdmissionRules {
  /** The trade-fed symbols (INGEST_SYMBOLS). */
  readonly symbols: ReadonlySet<string>;
  /** How long after its period ends a bar waits for late trades before it goes final (INGEST_LATENESS_MS). */
  readonly latenessMs: number;
  /** How far ahead of the server clock a trade's time may be (INGEST_MAX_FUTURE_MS). */
  readonly maxFutureMs: number;
}

/**
 * Whether a well-formed trade may be taken at `now`: refused UNKNOWN_SYMBOL for a symbol
 * that is not trade-fed, TRADE_IN_FUTURE more than `maxFutureMs` ahead of the clock, and
 * TRADE_TOO_LATE once the minute containing it ended `latenessMs` ago or more. Every
 * resolution is aggregated along with `1` and ends no earlier, so the minute is the first bar
 * a trade could find final: past that instant one of its bars would have to change after
 * its final, which never happens.
 */
export function admitTrade(trade: Trade, rules: AdmissionRules, now: number): RequestError | undefined {
  if (!rules.symbols.has(trade.symbol)) return requestError('UNKNOWN_SYMBOL', `${trade.symbol} is not a trade-fed symbol (INGEST_SYMBOLS)`);
  if (trade.time > now + rules.maxFutureMs) return requestError('TRADE_IN_FUTURE', `the trade time is more than ${rules.maxFutureMs} ms ahead of the server clock`);
  if (now >= finalAt(trade.time, rules.latenessMs)) {
    return requestError('TRADE_TOO_LATE', `the bar of this trade is final: its minute ended more than ${rules.latenessMs} ms ago (INGEST_LATENESS_MS)`);
  }
  return undefined;
}

/** The instant the minute bar of a trade at `time` goes final: its period's end plus the lateness. */
export function finalAt(time: number, latenessMs: number): number {
  return nextPeriodStart('1', time) + latenessMs;
}
