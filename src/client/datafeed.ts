import { filter, type Subscription } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import type { BarcastClient } from './connect.js';

/**
 * A datafeed for TradingView's Charting Library (its `IBasicDataFeed` JS API): metadata and
 * history from barcast's UDF endpoints, live bars from the client. The types below are the
 * subset of the library's own that the adapter uses, so it needs no dependency on it.
 */
export interface DatafeedSymbolInfo {
  readonly name: string;
  readonly ticker?: string;
  readonly [field: string]: unknown;
}

export interface PeriodParams {
  /** Seconds, UTC. */
  readonly from: number;
  readonly to: number;
  readonly countBack?: number;
  readonly firstDataRequest: boolean;
}

export interface HistoryMetadata {
  readonly noData?: boolean;
  readonly nextTime?: number | null;
}

export interface DatafeedOptions {
  readonly client: BarcastClient;
  /** The server's HTTP origin, e.g. `http://localhost:8000`. */
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
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

export function createDatafeed(options: DatafeedOptions): BarcastDatafeed {
  const fetchJson = async <T>(path: string, query: Record<string, string | number> = {}): Promise<T> => {
    const url = new URL(`/api/v1/udf/${path}`, options.baseUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    const response = await (options.fetch ?? fetch)(url);
    return (await response.json()) as T;
  };
  /** Time of the newest bar handed to the chart per symbol and resolution: onTick never goes below it. */
  const newest = new Map<string, number>();
  const listeners = new Map<string, Subscription>();
  const tickerOf = (symbolInfo: DatafeedSymbolInfo): string => symbolInfo.ticker ?? symbolInfo.name;
  const seriesKey = (symbolInfo: DatafeedSymbolInfo, resolution: string): string => `${tickerOf(symbolInfo)}|${resolution}`;
  const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

  return {
    onReady(callback) {
      fetchJson<Record<string, unknown>>('config').then(callback, () => callback({}));
    },

    searchSymbols(userInput, exchange, symbolType, onResult) {
      fetchJson<unknown[]>('search', { query: userInput, exchange, type: symbolType, limit: 30 }).then(onResult, () => onResult([]));
    },

    resolveSymbol(symbolName, onResolve, onError) {
      fetchJson<DatafeedSymbolInfo & { s?: string; errmsg?: string }>('symbols', { symbol: symbolName }).then(
        (info) => (info.s === 'error' ? onError(info.errmsg ?? 'unknown_symbol') : onResolve(info)),
        (error: unknown) => onError(reasonOf(error)),
      );
    },

    getBars(symbolInfo, resolution, periodParams, onResult, onError) {
      const query = {
        symbol: tickerOf(symbolInfo),
        resolution,
        from: periodParams.from,
        to: periodParams.to,
        ...(periodParams.countBack === undefined ? {} : { countback: periodParams.countBack }),
      };
      fetchJson<UdfHistory>('history', query).then((history) => {
        if (history.s === 'error') return onError(history.errmsg ?? 'history request failed');
        if (history.s === 'no_data') return onResult([], { noData: true, nextTime: history.nextTime ?? null });
        const bars = (history.t ?? []).map((time, index) => ({
          time: time * 1000,
          open: history.o?.[index] ?? 0,
          high: history.h?.[index] ?? 0,
          low: history.l?.[index] ?? 0,
          close: history.c?.[index] ?? 0,
          volume: history.v?.[index] ?? 0,
        }));
        const key = seriesKey(symbolInfo, resolution);
        const last = bars[bars.length - 1];
        if (last && last.time > (newest.get(key) ?? -Infinity)) newest.set(key, last.time);
        onResult(bars, { noData: bars.length === 0 });
      }, (error: unknown) => onError(reasonOf(error)));
    },

    subscribeBars(symbolInfo, resolution, onTick, listenerGuid, onResetCacheNeeded) {
      const key = seriesKey(symbolInfo, resolution);
      listeners.get(listenerGuid)?.unsubscribe();
      const subscription = options.client
        .bars$(tickerOf(symbolInfo), resolution)
        .pipe(filter((bar) => bar.time >= (newest.get(key) ?? -Infinity)))
        .subscribe({
          next(bar) {
            newest.set(key, bar.time);
            onTick(bar);
          },
          // A refused topic: the chart's cached bars may be wrong, let it ask again.
          error: () => onResetCacheNeeded?.(),
        });
      listeners.set(listenerGuid, subscription);
    },

    unsubscribeBars(listenerGuid) {
      listeners.get(listenerGuid)?.unsubscribe();
      listeners.delete(listenerGuid);
    },
  };
}
