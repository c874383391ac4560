import type { Resolution } from '../domain/resolution.js';
import type { Trade } from '../domain/trade.js';
import type { OffsetAdvance, StoredBar, StoreHealth, TradeStore } from '../store/trade-store.js';

/**
 * The store, once start() has opened it: the aggregator and the ingest are built with the
 * app (synchronously), the database is opened when it starts. Nothing reaches it before.
 */
export class OpenedStore implements TradeStore {
  private store: TradeStore | undefined;

  open(store: TradeStore): void {
    this.store = store;
  }

  private get opened(): TradeStore {
    if (!this.store) throw new Error('the trade store is not open yet');
    return this.store;
  }

  appendTrades(trades: readonly Trade[], advances?: readonly OffsetAdvance[]) {
    return this.opened.appendTrades(trades, advances);
  }
  ingestOffset(symbol: string) {
    return this.opened.ingestOffset(symbol);
  }
  tradesSince(symbol: string, from: number) {
    return this.opened.tradesSince(symbol, from);
  }
  saveBars(bars: readonly StoredBar[]) {
    return this.opened.saveBars(bars);
  }
  bars(symbol: string, resolution: Resolution, from: number, to: number, limit: number) {
    return this.opened.bars(symbol, resolution, from, to, limit);
  }
  lastBar(symbol: string, resolution: Resolution) {
    return this.opened.lastBar(symbol, resolution);
  }
  prune(tradesBefore: number, barsBefore: number) {
    return this.opened.prune(tradesBefore, barsBefore);
  }
  health(): StoreHealth {
    return this.store ? this.store.health() : { writable: false, reason: 'not open yet' };
  }
  async close(): Promise<void> {
    await this.store?.close();
  }
}
