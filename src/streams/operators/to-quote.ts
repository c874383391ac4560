import { map, type OperatorFunction, scan } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { quoteFromSessionBar, type QuoteData } from '../../domain/quote.js';

interface SessionState {
  readonly session: Bar;
  /** Close of the previous session; the first session seen uses its own open. */
  readonly prevClose: number;
}

/**
 * Turns a live stream of session bars (e.g. `resample('1D')` of 1-minute bars) into
 * TradingView quotes of `symbol`, one per input. When a new session starts, the last close
 * of the one before becomes `prev_close_price`; before any session has closed, the open of
 * the first one stands in for it (no history is kept).
 *
 * ```
 * day bars:       --d1--d1'--d2--|
 * toQuote('X'):   --q1--q1'--q2--|     q2.prev_close_price = d1'.close
 * ```
 */
export function toQuote(symbol: string): OperatorFunction<Bar, QuoteData> {
  return (source) =>
    source.pipe(
      scan<Bar, SessionState, undefined>(
        (state, session) => {
          if (!state) return { session, prevClose: session.open };
          return session.time > state.session.time ? { session, prevClose: state.session.close } : { ...state, session };
        },
        undefined,
      ),
      map(({ session, prevClose }) => quoteFromSessionBar(symbol, session, prevClose)),
    );
}
