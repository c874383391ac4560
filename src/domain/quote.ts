import { roundToCent, type Bar } from './bar.js';

/**
 * Quotes in the shape of TradingView's quotes API (`QuoteData`), so a Trading Terminal
 * watchlist or order panel can consume them unchanged: `s` status, `n` symbol, `v` values.
 */
export interface QuoteValues {
  /** Last price. */
  readonly lp: number;
  readonly ask: number;
  readonly bid: number;
  readonly spread: number;
  readonly open_price: number;
  readonly high_price: number;
  readonly low_price: number;
  readonly prev_close_price: number;
  readonly volume: number;
  /** Change of `lp` against `prev_close_price`, and the same in percent. */
  readonly ch: number;
  readonly chp: number;
}

export type QuoteData =
  | { readonly s: 'ok'; readonly n: string; readonly v: QuoteValues }
  | { readonly s: 'error'; readonly n: string; readonly v: { readonly error: string } };

/** The mock market's half spread: 2 basis points of the price, at least a cent. */
const HALF_SPREAD_FRACTION = 0.0002;

/**
 * The quote of `symbol` from its session bar (the day so far) and the previous session's
 * close. Bid and ask straddle the last price by a mock spread; all prices on the cent grid.
 */
export function quoteFromSessionBar(symbol: string, session: Bar, prevClose: number): QuoteData {
  const lp = session.close;
  const halfSpread = Math.max(0.01, roundToCent(lp * HALF_SPREAD_FRACTION));
  const bid = Math.max(0.01, roundToCent(lp - halfSpread));
  const ask = roundToCent(lp + halfSpread);
  const ch = roundToCent(lp - prevClose);
  return {
    s: 'ok',
    n: symbol,
    v: {
      lp,
      ask,
      bid,
      spread: roundToCent(ask - bid),
      open_price: session.open,
      high_price: session.high,
      low_price: session.low,
      prev_close_price: prevClose,
      volume: session.volume,
      ch,
      chp: prevClose > 0 ? Math.round((ch / prevClose) * 10_000) / 100 : 0,
    },
  };
}

export function quoteError(symbol: string, error: string): QuoteData {
  return { s: 'error', n: symbol, v: { error } };
}

/** Whether two quotes say the same: same status, symbol and values. */
export function sameQuote(a: QuoteData, b: QuoteData): boolean {
  if (a.s !== b.s || a.n !== b.n) return false;
  const left = a.v as unknown as Readonly<Record<string, unknown>>;
  const right = b.v as unknown as Readonly<Record<string, unknown>>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}
