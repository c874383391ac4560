import { catchError, filter, first, forkJoin, map, merge, type Observable, of, pairwise, type SchedulerLike, type Subscription, timeout } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import type { QuoteData } from '../domain/quote.js';
import type { TokenSource } from './bearer-token.js';
import type { BarcastClient } from './connect.js';
import { authorizedGet } from './rest-history.js';

/**
 * A datafeed for TradingView's Charting Library (its `IBasicDataFeed` JS API with the quotes
 * API): metadata and history from barcast's UDF endpoints, live bars and quotes from the
 * client. The types below are the subset of the library's own (`datafeed-api.d.ts`) that the
 * adapter uses, so it needs no dependency on it; units follow the library's own UDF adapter
 * (`datafeeds/udf`): bar times in ms, `from`/`to` and `nextTime` in seconds as UDF sends them.
 */
export interface DatafeedSymbolInfo {
  readonly name: string;
  readonly ticker?: string;
  readonly [field: string]: unknown;
}

export interface PeriodParams {
  /** Seconds, UTC: the leftmost requested bar. */
  readonly from: number;
  /** Seconds, UTC: the rightmost requested bar, not inclusive. */
  readonly to: number;
  readonly countBack?: number;
  readonly firstDataRequest: boolean;
}

export interface HistoryMetadata {
  readonly noData?: boolean;
  /** Time of the next (older) bar when the range is a gap: UDF's `nextTime`, in seconds, passed on as the library's UDF adapter does. */
  readonly nextTime?: number | null;
}

export type QuotesCallback = (data: QuoteData[]) => void;

/** A live topic the server refused, told to the host page (the library's subscribeBars has no error callback). */
export interface LiveError {
  readonly listenerGuid: string;
  readonly symbol: string;
  readonly resolution: string;
  readonly code: string;
  readonly message: string;
}

export interface DatafeedOptions {
  readonly client: BarcastClient;
  /** The server's HTTP origin, e.g. `http://localhost:8000`. */
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  /** Sent as `Authorization: Bearer` with every UDF request, for servers that guard HTTP with tokens. */
  readonly token?: TokenSource;
  /** Called when a live topic is refused; the next `getBars` of that series fails with the same reason. */
  readonly onLiveError?: (error: LiveError) => void;
  /** How long `getQuotes` waits for a first quote of each symbol, ms. */
  readonly quotesTimeoutMs?: number;
  readonly scheduler?: SchedulerLike;
}

export interface BarcastDatafeed {
  onReady(callback: (configuration: Record<string, unknown>) => void): void;
  searchSymbols(userInput: string, exchange: string, symbolType: string, onResult: (items: unknown[]) => void): void;
  resolveSymbol(symbolName: string, onResolve: (symbolInfo: DatafeedSymbolInfo) => void, onError: (reason: string) => void): void;
  getBars(
    symbolInfo: DatafeedSymbolInfo,
    resolution: string,
    periodParams: PeriodParams,
    onResult: (bars: Bar[], meta: HistoryMetadata) => void,
    onError: (reason: string) => void,
  ): void;
  subscribeBars(symbolInfo: DatafeedSymbolInfo, resolution: string, onTick: (bar: Bar) => void, listenerGuid: string, onResetCacheNeeded?: () => void): void;
  unsubscribeBars(listenerGuid: string): void;
  /** Unix time in seconds, from UDF `/time` (the configuration says `supports_time`). */
  getServerTime(callback: (serverTime: number) => void): void;
  getQuotes(symbols: string[], onData: QuotesCallback, onError: (reason: string) => void): void;
  subscribeQuotes(symbols: string[], fastSymbols: string[], onRealtime: QuotesCallback, listenerGuid: string): void;
  unsubscribeQuotes(listenerGuid: string): void;
}

interface UdfHistory {
  readonly s: 'ok' | 'no_data' | 'error';
  readonly t?: number[];
  readonly o?: number[];
  readonly h?: number[];
  readonly l?: number[];
  readonly c?: number[];
  readonly v?: number[];
  readonly nextTime?: number;
  readonly errmsg?: string;
}

/** What the chart holds of one series: the newest bar time, and the newest one surely final. */
interface ChartSeries {
  readonly newest: number;
  readonly settled?: number;
}

const QUOTES_TIMEOUT_MS = 10_000;

export function createDatafeed(options: DatafeedOptions): BarcastDatafeed {
  const { client } = options;
  const request = async (path: string, query: Record<string, string | number> = {}): Promise<Response> => {
    const url = new URL(`/api/v1/udf/${path}`, options.baseUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    return authorizedGet(url, options);
  };
  const fetchJson = async <T>(path: string, query: Record<string, string | number> = {}): Promise<T> => (await (await request(path, query)).json()) as T;
  const charts = new Map<string, ChartSeries>();
  /** Series whose live topic was refused: their next getBars reports it. */
  const refusals = new Map<string, string>();
  const barListeners = new Map<string, Subscription>();
  const quoteListeners = new Map<string, Subscription>();
  const tickerOf = (symbolInfo: DatafeedSymbolInfo): string => symbolInfo.ticker ?? symbolInfo.name;
  const seriesKey = (symbolInfo: DatafeedSymbolInfo, resolution: string): string => `${tickerOf(symbolInfo)}|${resolution}`;
  const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  const stop = (listeners: Map<string, Subscription>, guid: string): void => {
    listeners.get(guid)?.unsubscribe();
    listeners.delete(guid);
  };

  /** Quotes of one symbol as asked for (`n` is the requested name, as the library requires); a refusal is an error quote. */
  const quotesOf = (symbol: string): Observable<QuoteData> =>
    client.quotes$(symbol).pipe(
      map((quote) => ({ ...quote, n: symbol }) as QuoteData),
      catchError((error: unknown) => of<QuoteData>({ s: 'error', n: symbol, v: { error: reasonOf(error) } })),
    );

  return {
    onReady(callback) {
      fetchJson<Record<string, unknown>>('config').then(callback, () => callback({}));
    },

    searchSymbols(userInput, exchange, symbolType, onResult) {
      fetchJson<unknown[]>('search', { query: userInput.toUpperCase(), exchange, type: symbolType, limit: 30 }).then(onResult, () => onResult([]));
    },

    resolveSymbol(symbolName, onResolve, onError) {
      fetchJson<DatafeedSymbolInfo & { s?: string; errmsg?: string }>('symbols', { symbol: symbolName }).then(
        (info) => (info.s === 'error' ? onError(info.errmsg ?? 'unknown_symbol') : onResolve(info)),
        (error: unknown) => onError(reasonOf(error)),
      );
    },

    getBars(symbolInfo, resolution, periodParams, onResult, onError) {
      const key = seriesKey(symbolInfo, resolution);
      const refused = refusals.get(key);
      if (refused !== undefined) return onError(refused);
      const query = {
        symbol: tickerOf(symbolInfo),
        resolution,
        from: periodParams.from,
        to: periodParams.to,
        ...(periodParams.countBack === undefined ? {} : { countback: periodParams.countBack }),
      };
      fetchJson<UdfHistory>('history', query).then(
        (history) => {
          if (history.s === 'error') return onError(history.errmsg ?? 'history request failed');
          if (history.s === 'no_data') return onResult([], { noData: true, ...(history.nextTime === undefined ? {} : { nextTime: history.nextTime }) });
          // As TradingView's UDF adapter reads it: a close-only answer (t, c) is a bar at its close.
          const bars = (history.t ?? []).map((time, index) => {
            const close = history.c?.[index] ?? 0;
            return {
              time: time * 1000,
              open: history.o?.[index] ?? close,
              high: history.h?.[index] ?? close,
              low: history.l?.[index] ?? close,
              close,
              volume: history.v?.[index] ?? 0,
            };
          });
          const last = bars.at(-1);
          if (last && last.time > (charts.get(key)?.newest ?? -Infinity)) {
            // UDF may end on the forming bar; the one before it is final either way.
            const settled = bars.at(-2)?.time;
            charts.set(key, { newest: last.time, ...(settled === undefined ? {} : { settled }) });
          }
          onResult(bars, { noData: false });
        },
        (error: unknown) => onError(reasonOf(error)),
      );
    },

    subscribeBars(symbolInfo, resolution, onTick, listenerGuid, onResetCacheNeeded) {
      const key = seriesKey(symbolInfo, resolution);
      const ticker = tickerOf(symbolInfo);
      stop(barListeners, listenerGuid);
      const settled = charts.get(key)?.settled;
      const subscription = client
        .bars$(ticker, resolution, settled === undefined ? {} : { since: settled })
        .pipe(filter((bar) => bar.time >= (charts.get(key)?.newest ?? -Infinity)))
        .subscribe({
          next(bar) {
            charts.set(key, { ...charts.get(key), newest: bar.time });
            onTick(bar);
          },
          // A refused topic is an error for the chart, not "data changed, reload".
          error(error: unknown) {
            const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'INTERNAL_ERROR';
            refusals.set(key, reasonOf(error));
            options.onLiveError?.({ listenerGuid, symbol: ticker, resolution, code, message: reasonOf(error) });
          },
        });
      // Only a gap that could be neither replayed nor reloaded means the chart's bars are wrong.
      subscription.add(
        client
          .state$(ticker, resolution)
          .pipe(
            pairwise(),
            filter(([before, after]) => after.lost > before.lost),
          )
          .subscribe(() => onResetCacheNeeded?.()),
      );
      barListeners.set(listenerGuid, subscription);
    },

    unsubscribeBars(listenerGuid) {
      stop(barListeners, listenerGuid);
    },

    getServerTime(callback) {
      request('time')
        .then((response) => response.text())
        .then(
          (text) => {
            const time = Number.parseInt(text, 10);
            if (!Number.isNaN(time)) callback(time);
          },
          () => undefined,
        );
    },

    getQuotes(symbols, onData, onError) {
      if (symbols.length === 0) return onData([]);
      forkJoin(symbols.map((symbol) => quotesOf(symbol).pipe(first())))
        .pipe(timeout({ first: options.quotesTimeoutMs ?? QUOTES_TIMEOUT_MS, ...(options.scheduler ? { scheduler: options.scheduler } : {}) }))
        .subscribe({ next: onData, error: (error: unknown) => onError(reasonOf(error)) });
    },

    subscribeQuotes(symbols, fastSymbols, onRealtime, listenerGuid) {
      stop(quoteListeners, listenerGuid);
      // Every symbol is streamed as it updates; the library's slow/fast split is a polling hint.
      const wanted = [...new Set([...symbols, ...fastSymbols])];
      quoteListeners.set(listenerGuid, merge(...wanted.map(quotesOf)).subscribe((quote) => onRealtime([quote])));
    },

    unsubscribeQuotes(listenerGuid) {
      stop(quoteListeners, listenerGuid);
    },
  };
}
