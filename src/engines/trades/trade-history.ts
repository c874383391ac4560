import type { Bar } from '../../domain/bar.js';
import type { QuoteData } from '../../domain/quote.js';
import type { IndexRange } from '../../domain/history.js';
import { periodIndex, periodStartAt, type Resolution } from '../../domain/resolution.js';
import type { TradeStore } from '../../store/trade-store.js';
import { tradeFedQuote, type TradeFedMinutes } from '../../streams/operators/to-trade-fed-quote.js';

/** The history endpoints' bars (transport/http/history-query.ts, `BarHistory`), as this module sees them. */
export interface BarHistorySource {
  turn(): Promise<void>;
  bars(symbol: string, resolution: Resolution, range: IndexRange, now: number): Promise<Bar[]>;
}

/**
 * History for REST and UDF with trade-fed symbols (docs/history.md): their closed bars from
 * the store's `bars` table (only the periods that had trades: gaps are gaps), plus the bar the
 * aggregator shows now when the range reaches it and asks for it, and their UDF quotes; every
 * other symbol is the mock series' (`mock`). `aggregator` is the aggregator (standalone, a
 * generator) or a gateway's view of the topics (With Redis): both hold the minutes.
 */
export function tradeBarHistory(aggregator: TradeFedMinutes, store: TradeStore, mock: BarHistorySource) {
  return {
    turn: () => mock.turn(),
    tradeFed: (symbol: string) => aggregator.isTradeFed(symbol),

    async bars(symbol: string, resolution: Resolution, range: IndexRange, now: number): Promise<Bar[]> {
      if (!aggregator.isTradeFed(symbol)) return mock.bars(symbol, resolution, range, now);
      if (range.end <= range.first) return [];
      const current = periodIndex(resolution, now);
      const closedEnd = Math.min(range.end, current);
      const bars = closedEnd > range.first ? [...(await store.bars(symbol, resolution, periodStartAt(resolution, range.first), periodStartAt(resolution, closedEnd), closedEnd - range.first))] : [];
      // The forming bar is asked for (UDF) only when the range reaches the current period.
      const forming = range.end > current ? aggregator.forming({ symbol, resolution }) : undefined;
      const newest = bars.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
      if (forming && forming.time > newest && forming.time >= periodStartAt(resolution, range.first)) bars.push(forming);
      return bars;
    },

    async barBefore(symbol: string, resolution: Resolution, time: number): Promise<Bar | undefined> {
      return (await store.bars(symbol, resolution, Number.MIN_SAFE_INTEGER, time, 1)).at(-1);
    },

    // From the aggregator's minutes in memory, as the quotes topic is: UDF and WebSocket agree.
    quote: (symbol: string): QuoteData | undefined => (aggregator.isTradeFed(symbol) ? tradeFedQuote(symbol, aggregator) : undefined),
  };
}
