import type { Bar } from '../domain/bar.js';
import { requestError } from '../domain/errors.js';
import { isRecord } from '../domain/json-record.js';
import { quoteError, type QuoteData } from '../domain/quote.js';
import { QUOTE_SESSION as SESSION } from '../domain/minute-session.js';
import { MAX_SYMBOL_LENGTH, normaliseSymbol, SYMBOL_RULE } from '../domain/symbol.js';
import { topicKey } from '../domain/topic.js';
import { BARS_TOPIC, BASE_RESOLUTION } from './bars-topic.js';
import type { SeriesHistory } from './series-history.js';
import { checkSymbol, type Catalog } from './catalog.js';
import { resample } from './operators/resample.js';
import { toQuote } from './operators/to-quote.js';
import { toTradeFedQuote, type TradeFedMinutes } from './operators/to-trade-fed-quote.js';
import type { ParseResult, TopicKind, TopicRequest } from './topic-kind.js';

export const QUOTES_KIND = 'quotes';
/** Symbols one `quotes.subscribe` may name: a watchlist, not the whole market. */
export const MAX_QUOTE_SYMBOLS = 100;

export interface QuotesParams {
  readonly symbol: string;
}

/**
 * The built-in `quotes` kind: `quotes:SYMBOL`, TradingView quotes of a symbol, built from its
 * 1-minute bars (`resample('1D')` gives the session's open, high, low and volume) with the
 * public API only. One request names several symbols: `{"symbols":["AAPL","MSFT"]}`.
 * With `history` (the one the bars kind resamples with), the session holds the whole UTC day
 * from the first quote and `prev_close_price` is the previous day's historical close.
 * A trade-fed symbol (`tradeFed`) is quoted from its trade-built 1-minute bars instead
 * (toTradeFedQuote): its session and previous close are what its trades made, never the mock's.
 */
export function quotesTopicKind(catalog: Pick<Catalog, 'symbols'>, history?: SeriesHistory, tradeFed?: TradeFedMinutes): TopicKind<QuotesParams, QuoteData> {
  return {
    name: QUOTES_KIND,
    parse: (payload) => parseQuotesPayload(payload, catalog),
    key: ({ symbol }) => topicKey(QUOTES_KIND, symbol),
    describe: ({ symbol }) => ({ symbol }),
    create: ({ symbol }, context) => {
      const minutes$ = context.stream(BARS_TOPIC, { symbol, resolution: BASE_RESOLUTION });
      if (tradeFed?.isTradeFed(symbol)) return minutes$.pipe(toTradeFedQuote(symbol, tradeFed));
      const closedBefore = history && ((minute: Bar) => history.closedBefore(symbol, SESSION, minute.time));
      const previousClose = history && ((session: Bar) => history.barBefore(symbol, SESSION, session.time).close);
      return minutes$.pipe(resample(SESSION, closedBefore), toQuote(symbol, previousClose));
    },
    // A watchlist learns of an unknown symbol the TradingView way: an error quote for it.
    rejection: ({ fields, error }) => quoteError(String(fields['symbol']), error.message),
  };
}

/** Accepts `{ symbols: [...] }`: 1-100 strings, spelled as UDF accepts them; duplicates count once, in first-seen order. */
export function parseQuotesPayload(payload: unknown, catalog: Pick<Catalog, 'symbols'>): ParseResult<QuotesParams> {
  const symbols = isRecord(payload) ? payload['symbols'] : undefined;
  if (
    !Array.isArray(symbols) ||
    symbols.length === 0 ||
    symbols.length > MAX_QUOTE_SYMBOLS ||
    !symbols.every((symbol) => typeof symbol === 'string')
  ) {
    return {
      ok: false,
      error: requestError('INVALID_PAYLOAD', `payload must be like {"symbols":["AAPL","MSFT"]}: 1-${MAX_QUOTE_SYMBOLS} symbol strings`),
    };
  }
  // Spelled as UDF accepts them (`aapl`, `BARCAST:AAPL`); two spellings of one symbol count once.
  const spellings = new Map<string, string>();
  for (const symbol of symbols) {
    const key = normaliseSymbol(symbol) ?? symbol;
    if (!spellings.has(key)) spellings.set(key, symbol);
  }
  return { ok: true, requests: [...spellings.values()].map((symbol) => quoteRequest(symbol, catalog)) };
}

function quoteRequest(spelling: string, catalog: Pick<Catalog, 'symbols'>): TopicRequest<QuotesParams> {
  const symbol = normaliseSymbol(spelling);
  if (symbol === undefined) {
    return {
      ok: false,
      error: requestError('INVALID_SYMBOL', `symbols must be ${SYMBOL_RULE} (optionally prefixed BARCAST:)`),
      fields: { symbol: spelling.slice(0, MAX_SYMBOL_LENGTH) },
    };
  }
  const unknown = checkSymbol(catalog, symbol);
  if (unknown) return { ok: false, error: unknown, fields: { symbol }, key: topicKey(QUOTES_KIND, symbol) };
  return { ok: true, params: { symbol } };
}
