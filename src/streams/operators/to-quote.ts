import { map, type OperatorFunction, scan } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { quoteFromSessionBar, type QuoteData } from '../../domain/quote.js';

interface SessionState {
  readonly session: Bar;
  /** Close of the previous session: from history, else the last seen, else this session's open. */
  readonly prevClose: number;
}

/**
 * Turns a live stream of session bars (e.g. `resample('1D')` of 1-minute bars) into
 * TradingView quotes of `symbol`, one per input. `previousClose`, if given (history), is the
 * close of the session before a session bar, for every session it knows one of. Without it
 * (or where it answers undefined), when a new session starts the last close of the one
 * before becomes `prev_close_price`; before any session has closed, the open of the first
 * one stands in for it.
 *
 * ```
 * day bars:       --d1--d1'--d2--|
 * toQuote('X'):   --q1--q1'--q2--|     q2.prev_close_price = d1'.close (or previousClose(d2))
 * ```
 */
export function toQuote(symbol: string, previousClose?: (session: Bar) => number | undefined): OperatorFunction<Bar, QuoteData> {
  return (source) =>
    source.pipe(
      scan<Bar, SessionState, undefined>(
        (state, session) => {
          if (state && session.time <= state.session.time) return { ...state, session };
          return { session, prevClose: previousClose?.(session) ?? state?.session.close ?? session.open };
        },
        undefined,
      ),
      map(({ session, prevClose }) => quoteFromSessionBar(symbol, session, prevClose)),
    );
}
