import { Router, type Request } from 'express';
import { barAt, historicalBar } from '../../domain/bar-path.js';
import { ERRORS } from '../../domain/errors.js';
import { firstBarIndex } from '../../domain/history.js';
import { quoteError, quoteFromSessionBar, type QuoteData } from '../../domain/quote.js';
import { MINUTE_RESOLUTIONS, periodIndex, periodStartAt, type Resolution } from '../../domain/resolution.js';
import { normaliseSymbol, SYMBOL_EXCHANGE } from '../../domain/symbol.js';
import { MAX_QUOTE_SYMBOLS } from '../../streams/quotes-topic.js';
import { sendJsonInSlices, SLICE_ITEMS } from './json-in-slices.js';
import { parseHistoryQuery, type HistorySource } from './history-query.js';

export const UDF_PATH = '/api/v1/udf';
export const UDF_EXCHANGE = SYMBOL_EXCHANGE;
/** The one symbol type served, as `symbols_types` and every search result spell it. */
const SYMBOL_TYPE = 'stock';
const SEARCH_LIMIT = 100;

/**
 * TradingView's UDF protocol (the one its `UDFCompatibleDatafeed` speaks): `config`,
 * `symbols`, `search`, `history`, `quotes` and `time`, with UDF's field names and times in
 * seconds. Symbols are read as UDF sends them (`aapl`, `BARCAST:AAPL`: normaliseSymbol).
 * Open to any origin: it serves public mock data, and charts are often hosted elsewhere.
 */
export function udfRoutes(source: HistorySource): Router {
  const router = Router();
  const { catalog } = source;
  router.use(UDF_PATH, (_request, response, next) => {
    response.set('Access-Control-Allow-Origin', '*');
    next();
  });

  router.get(`${UDF_PATH}/config`, (_request, response) => {
    response.json({
      supported_resolutions: catalog.resolutions,
      supports_search: true,
      supports_group_request: false,
      supports_marks: false,
      supports_timescale_marks: false,
      supports_time: true,
      exchanges: [{ value: UDF_EXCHANGE, name: UDF_EXCHANGE, desc: 'barcast mock market' }],
      symbols_types: [{ name: 'Stock', value: SYMBOL_TYPE }],
    });
  });

  router.get(`${UDF_PATH}/time`, (_request, response) => {
    response.type('text/plain').send(String(Math.floor(source.now() / 1000)));
  });

  router.get(`${UDF_PATH}/symbols`, (request, response) => {
    const symbol = tickerOf(request.query['symbol']);
    if (!catalog.symbols.includes(symbol)) {
      response.status(404).json({ s: 'error', errmsg: `unknown symbol; available: ${catalog.symbols.join(', ')}` });
      return;
    }
    response.json({ ...symbolInfo(symbol, catalog.resolutions), description: describeSymbol(source, symbol) });
  });

  // `type` and `exchange` are filters; empty means any, as TradingView's symbol search sends them.
  router.get(`${UDF_PATH}/search`, (request, response) => {
    const query = text(request, 'query').toUpperCase();
    const type = text(request, 'type');
    const exchange = text(request, 'exchange').toUpperCase();
    const limit = Math.min(SEARCH_LIMIT, Math.max(1, Number.parseInt(text(request, 'limit'), 10) || SEARCH_LIMIT));
    const served = (type === '' || type === SYMBOL_TYPE) && (exchange === '' || exchange === UDF_EXCHANGE);
    const found = served ? catalog.symbols.filter((symbol) => symbol.includes(query)).slice(0, limit) : [];
    response.json(
      found.map((symbol) => ({ symbol, full_name: `${UDF_EXCHANGE}:${symbol}`, description: describeSymbol(source, symbol), exchange: UDF_EXCHANGE, ticker: symbol, type: SYMBOL_TYPE })),
    );
  });

  // UDF history includes the bar still forming, as UDF servers do: TradingView's UDF datafeed
  // polls /history for its live updates, and would otherwise stay a bar behind.
  router.get(`${UDF_PATH}/history`, async (request, response) => {
    const query = { ...request.query, symbol: tickerOf(request.query['symbol']) };
    const parsed = parseHistoryQuery(query, source, { unitMs: 1000, forming: true });
    if (!parsed.ok) {
      response.status(parsed.error.status).json({ s: 'error', errmsg: parsed.error.message });
      return;
    }
    const { symbol, resolution, range, now } = parsed.request;
    const bars = await source.bars.bars(symbol, resolution, range, now);
    if (bars.length === 0) {
      response.json(source.bars.tradeFed?.(symbol) ? await tradeFedNoData(source, symbol, resolution, range.first) : noData(resolution, range.first, now, source.listedAt));
      return;
    }
    const lists = {
      t: bars.map((bar) => bar.time / 1000),
      o: bars.map((bar) => bar.open),
      h: bars.map((bar) => bar.high),
      l: bars.map((bar) => bar.low),
      c: bars.map((bar) => bar.close),
      v: bars.map((bar) => bar.volume),
    };
    // Plain numbers encode about six times faster than bar objects: slices six times as long.
    await sendJsonInSlices(response, { s: 'ok' }, lists, () => source.bars.turn(), 6 * SLICE_ITEMS);
  });

  // `symbols=AAPL,BARCAST:MSFT` -> `{ s: 'ok', d: QuoteData[] }`, each `n` exactly as asked.
  router.get(`${UDF_PATH}/quotes`, (request, response) => {
    const names = text(request, 'symbols')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0);
    if (names.length === 0 || names.length > MAX_QUOTE_SYMBOLS) {
      response.status(400).json({ s: 'error', errmsg: `symbols must name 1-${MAX_QUOTE_SYMBOLS} symbols, comma-separated, e.g. symbols=AAPL,MSFT` });
      return;
    }
    const now = source.now();
    response.json({ s: 'ok', d: names.map((name) => quoteOf(name, source, now)) });
  });
  return router;
}

/** UDF sends `BARCAST:TICKER` or a bare ticker, in any case; anything else stays as sent, to be refused by name. */
function tickerOf(value: unknown): string {
  if (typeof value !== 'string') return '';
  return normaliseSymbol(value) ?? value;
}

/**
 * The answer for a range with no bars: `nextTime` is the time of the closest bar before it
 * (UDF seconds; TradingView's own UDF adapter hands it to the library as it is), and is left
 * out when no bar lies before the range: the series starts after it, so TradingView stops
 * paging back.
 */
function noData(resolution: Resolution, first: number, now: number, listedAt: number): Record<string, unknown> {
  const closest = Math.min(first - 1, periodIndex(resolution, now));
  if (closest < firstBarIndex(resolution, listedAt)) return { s: 'no_data' };
  return { s: 'no_data', nextTime: Math.floor(periodStartAt(resolution, closest) / 1000) };
}

/**
 * No bars in the range of a trade-fed topic: `nextTime` is the time of its latest bar before
 * the range (periods without trades have none, so it may lie far back), left out when there
 * is none, so TradingView stops paging back.
 */
async function tradeFedNoData(source: HistorySource, symbol: string, resolution: Resolution, first: number): Promise<Record<string, unknown>> {
  const before = await source.bars.barBefore?.(symbol, resolution, periodStartAt(resolution, first));
  return before === undefined ? { s: 'no_data' } : { s: 'no_data', nextTime: Math.floor(before.time / 1000) };
}

/**
 * A UDF quote of `name` (as the client spelt it): the day so far against the previous day's
 * close; a trade-fed symbol's from its trade-built bars, or before its first trade the error
 * quote TradingView shows as "no data" for one symbol (`{ s: "error", n, v: { error } }`).
 */
function quoteOf(name: string, source: HistorySource, now: number): QuoteData | { readonly s: 'ok'; readonly n: string; readonly v: object } {
  const symbol = normaliseSymbol(name);
  if (symbol === undefined || !source.catalog.symbols.includes(symbol)) {
    return quoteError(name, `unknown symbol; available: ${source.catalog.symbols.join(', ')}`);
  }
  const quote = source.bars.tradeFed?.(symbol) ? (source.bars.quote?.(symbol) ?? quoteError(name, ERRORS.NO_TRADES_YET.message)) : mockQuote(symbol, source, now);
  return quote.s === 'ok' ? { s: 'ok', n: name, v: { ...quote.v, short_name: symbol, exchange: UDF_EXCHANGE, description: describeSymbol(source, symbol) } } : { ...quote, n: name };
}

function mockQuote(symbol: string, source: HistorySource, now: number): QuoteData {
  const day = { seed: source.seed, symbol, resolution: '1D' as const };
  return quoteFromSessionBar(symbol, barAt(day, now), historicalBar(day, periodIndex('1D', now) - 1).close);
}

/** What a symbol is: the mock market's, or built from the trades published to it. */
function describeSymbol(source: HistorySource, symbol: string): string {
  return source.bars.tradeFed?.(symbol) ? `${symbol} (from published trades)` : `${symbol} (mock)`;
}

function text(request: Request, name: string): string {
  const value = request.query[name];
  return typeof value === 'string' ? value : '';
}

function symbolInfo(symbol: string, resolutions: readonly Resolution[]): Record<string, unknown> {
  const minutes = resolutions.filter((resolution) => (MINUTE_RESOLUTIONS as readonly string[]).includes(resolution));
  return {
    name: symbol,
    ticker: symbol,
    full_name: `${UDF_EXCHANGE}:${symbol}`,
    description: `${symbol} (mock)`,
    type: 'stock',
    exchange: UDF_EXCHANGE,
    listed_exchange: UDF_EXCHANGE,
    session: '24x7',
    timezone: 'Etc/UTC',
    minmov: 1,
    pricescale: 100,
    format: 'price',
    has_intraday: minutes.length > 0,
    intraday_multipliers: minutes,
    has_daily: resolutions.includes('1D'),
    has_weekly_and_monthly: resolutions.includes('1W') || resolutions.includes('1M'),
    supported_resolutions: resolutions,
    volume_precision: 0,
    data_status: 'streaming',
  };
}
