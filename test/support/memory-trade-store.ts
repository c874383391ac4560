import type { Bar } from '../../src/domain/bar.js';
import type { Resolution } from '../../src/domain/resolution.js';
import type { Trade } from '../../src/domain/trade.js';
import { IngestOffsetConflict } from '../../src/store/ingest-offset-conflict.js';
import type { OffsetAdvance, StoredBar, StoredTrade, StoreHealth, TradeStore } from '../../src/store/trade-store.js';

/**
 * A TradeStore in memory, for unit tests of the aggregation and the ingest (the e2e tests run
 * on the real SQLite store). `failWrites` makes every write reject, as a full disk would;
 * `commitDelay` holds each append until the returned promise of `release()` is called.
 */
export class MemoryTradeStore implements TradeStore {
  readonly trades: StoredTrade[] = [];
  readonly savedBars = new Map<string, Bar>();
  failWrites = false;
  appends = 0;
  private seq = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  /** Holds every append until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  readonly offsets = new Map<string, string>();

  async appendTrades(trades: readonly Trade[], advances: readonly OffsetAdvance[] = []): Promise<readonly boolean[]> {
    this.appends += 1;
    if (this.gate) await this.gate;
    if (this.failWrites) throw new Error('disk full');
    for (const { symbol, expected } of advances) if (this.offsets.get(symbol) !== expected) throw new IngestOffsetConflict(symbol);
    for (const { symbol, next } of advances) this.offsets.set(symbol, next);
    return trades.map((trade) => {
      if (trade.id !== undefined && this.trades.some((stored) => stored.symbol === trade.symbol && stored.id === trade.id)) return false;
      this.trades.push({ ...trade, seq: (this.seq += 1) });
      return true;
    });
  }

  async ingestOffset(symbol: string): Promise<string | undefined> {
    return this.offsets.get(symbol);
  }

  async tradesSince(symbol: string, from: number): Promise<readonly StoredTrade[]> {
    return this.trades.filter((trade) => trade.symbol === symbol && trade.time >= from);
  }

  async saveBars(bars: readonly StoredBar[]): Promise<void> {
    if (this.failWrites) throw new Error('disk full');
    for (const { symbol, resolution, bar } of bars) this.savedBars.set(`${symbol}:${resolution}:${bar.time}`, bar);
  }

  async bars(symbol: string, resolution: Resolution, from: number, to: number, limit: number): Promise<readonly Bar[]> {
    return this.topicBars(symbol, resolution)
      .filter((bar) => bar.time >= from && bar.time < to)
      .slice(-limit);
  }

  async lastBar(symbol: string, resolution: Resolution): Promise<Bar | undefined> {
    return this.topicBars(symbol, resolution).at(-1);
  }

  async prune(tradesBefore: number, barsBefore: number): Promise<{ readonly trades: number; readonly bars: number }> {
    const trades = this.trades.length;
    this.trades.splice(0, this.trades.length, ...this.trades.filter((trade) => trade.time >= tradesBefore));
    let bars = 0;
    for (const [key, bar] of this.savedBars) if (bar.time < barsBefore && this.savedBars.delete(key)) bars += 1;
    return { trades: trades - this.trades.length, bars };
  }

  health(): StoreHealth {
    return this.failWrites ? { writable: false, reason: 'disk full' } : { writable: true };
  }

  closed = false;

  async close(): Promise<void> {
    this.closed = true;
  }

  private topicBars(symbol: string, resolution: Resolution): Bar[] {
    return [...this.savedBars.entries()]
      .filter(([key]) => key.startsWith(`${symbol}:${resolution}:`))
      .map(([, bar]) => bar)
      .sort((a, b) => a.time - b.time);
  }
}
