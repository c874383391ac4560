import { Router, type Request } from 'express';
import { historyBars } from '../../domain/history.js';
import { MINUTE_RESOLUTIONS, periodIndex, periodStartAt, type Resolution } from '../../domain/resolution.js';
import { parseHistoryQuery, type HistorySource } from './history-query.js';

export const UDF_PATH = '/api/v1/udf';
export const UDF_EXCHANGE = 'BARCAST';
const SEARCH_LIMIT = 100;

/**
 * TradingView's UDF protocol (the one its `UDFCompatibleDatafeed` speaks): `config`,
 * `symbols`, `search`, `history` and `time`, with UDF's field names and times in seconds.
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
      symbols_types: [{ name: 'Stock', value: 'stock' }],
    });
  });

  router.get(`${UDF_PATH}/time`, (_request, response) => {
    response.type('text/plain').send(String(Math.floor(source.now() / 1000)));
  });

  router.get(`${UDF_PATH}/symbols`, (request, response) => {
    const symbol = tickerOf(request.query['symbol']);
    if (symbol === undefined || !catalog.symbols.includes(symbol)) {
      response.status(404).json({ s: 'error', errmsg: `unknown symbol; available: ${catalog.symbols.join(', ')}` });
      return;
    }
    response.json(symbolInfo(symbol, catalog.resolutions));
  });

  router.get(`${UDF_PATH}/search`, (request, response) => {
    const query = text(request, 'query').toUpperCase();
    const limit = Math.min(SEARCH_LIMIT, Math.max(1, Number.parseInt(text(request, 'limit'), 10) || SEARCH_LIMIT));
    const found = catalog.symbols.filter((symbol) => symbol.includes(query)).slice(0, limit);
    response.json(
      found.map((symbol) => ({ symbol, full_name: `${UDF_EXCHANGE}:${symbol}`, description: `${symbol} (mock)`, exchange: UDF_EXCHANGE, ticker: symbol, type: 'stock' })),
    );
  });

  router.get(`${UDF_PATH}/history`, (request, response) => {
    const query = { ...request.query, symbol: tickerOf(request.query['symbol']) };
    const parsed = parseHistoryQuery(query, source, 1000);
    if (!parsed.ok) {
      response.status(parsed.error.status).json({ s: 'error', errmsg: parsed.error.message });
      return;
    }
    const { symbol, resolution, range } = parsed.request;
    const bars = historyBars({ seed: source.seed, symbol, resolution }, range);
    if (bars.length === 0) {
      // The series has no end in the past, so the closest bar before the range always exists:
      // the one before `from`, or the newest closed bar if the range is still to come.
      const lastClosed = Math.min(range.first, periodIndex(resolution, source.now())) - 1;
      response.json({ s: 'no_data', nextTime: Math.floor(periodStartAt(resolution, lastClosed) / 1000) });
      return;
    }
    response.json({
      s: 'ok',
      t: bars.map((bar) => bar.time / 1000),
      o: bars.map((bar) => bar.open),
      h: bars.map((bar) => bar.high),
      l: bars.map((bar) => bar.low),
      c: bars.map((bar) => bar.close),
      v: bars.map((bar) => bar.volume),
    });
  });
  return router;
}

/** UDF sends `EXCHANGE:TICKER` or a bare ticker. */
function tickerOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ticker = value.includes(':') ? value.slice(value.lastIndexOf(':') + 1) : value;
  return ticker.toUpperCase();
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
