import { concat, defer, distinctUntilChanged, EMPTY, of, type OperatorFunction } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { closeBefore, QUOTE_SESSION, quoteFromMinutes, sessionBefore } from '../../domain/minute-session.js';
import { ERRORS } from '../../domain/errors.js';
import { quoteError, sameQuote, type QuoteData } from '../../domain/quote.js';
import type { BarsTopic } from '../../domain/topic.js';
import { BASE_RESOLUTION } from '../bars-topic.js';
import { resample } from './resample.js';
import { toQuote } from './to-quote.js';

/**
 * What a trade-fed symbol's quotes read besides its live 1-minute bars: the 1-minute finals
 * held in memory and the bar shown now (the always-on aggregator, engines/trades).
 */
export interface TradeFedMinutes {
  isTradeFed(symbol: string): boolean;
  /** The topic's most recent finals, oldest first. */
  recentFinals(topic: BarsTopic): { readonly bars: readonly Bar[]; readonly truncated: boolean };
  /** The bar the topic shows now, if one is forming. */
  forming(topic: BarsTopic): Bar | undefined;
}

/**
 * Turns the live 1-minute bars of a trade-fed symbol into its TradingView quotes. On
 * subscription it first quotes the latest minute the aggregator holds (the forming one, else
 * the last final), so a subscriber joining while nobody trades is not left waiting for the
 * next trade; before the symbol's first trade it sends the symbol's error quote
 * (`NO_TRADES_YET`, as UDF `/quotes` answers), so a watchlist or a datafeed's `getQuotes`
 * hears at once that there is nothing to show rather than waiting. The session (the UTC day) so
 * far comes from the finals held (`closedBefore`), the previous close from the last final
 * before the session; a quote equal to the one before it (the first live update repeating
 * that latest minute) is not sent again.
 *
 * ```
 * held: finals f1 f2 (today), forming m
 * live 1-min:              ----m'---n--|
 * toTradeFedQuote('X'):    q---q'---r--|   q = f1+f2+m against the close before today
 * ```
 */
export function toTradeFedQuote(symbol: string, minutes: TradeFedMinutes): OperatorFunction<Bar, QuoteData> {
  const topic: BarsTopic = { symbol, resolution: BASE_RESOLUTION };
  const finals = (): readonly Bar[] => minutes.recentFinals(topic).bars;
  return (live$) =>
    defer(() => {
      const latest = minutes.forming(topic) ?? finals().at(-1);
      const quotes = concat(latest === undefined ? EMPTY : of(latest), live$).pipe(
        resample(QUOTE_SESSION, (minute) => sessionBefore(finals(), minute.time)),
        toQuote(symbol, (session) => closeBefore(finals(), session.time)),
        distinctUntilChanged(sameQuote),
      );
      return latest === undefined ? concat(of(quoteError(symbol, ERRORS.NO_TRADES_YET.message)), quotes) : quotes;
    });
}

/** A trade-fed symbol's quote now, as `toTradeFedQuote` would send it first (UDF `/quotes`); undefined before its first trade. */
export function tradeFedQuote(symbol: string, minutes: TradeFedMinutes): QuoteData | undefined {
  const topic: BarsTopic = { symbol, resolution: BASE_RESOLUTION };
  return quoteFromMinutes(symbol, minutes.recentFinals(topic).bars, minutes.forming(topic));
}
