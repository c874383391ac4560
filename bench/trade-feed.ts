import type { Trade } from '../src/domain/trade.js';

/**
 * The trades the trade workloads (T1-T3) publish: a random walk of one symbol's price, size 1
 * each (so a bar's volume counts the trades it holds, which is how T3 tells which trades an
 * update includes), stamped with the clock's time, with a unique id like a real feed's.
 */
export class TradeFeed {
  private price = 100;
  private sent = 0;

  constructor(
    readonly symbol: string,
    private readonly idPrefix = `bench-${process.pid}-${Date.now()}-`,
  ) {}

  /** `count` trades at `time`, as plain objects (what JSON.parse hands the ingest). */
  next(count: number, time: number): Trade[] {
    const trades = new Array<Trade>(count);
    for (let index = 0; index < count; index += 1) {
      this.price = Math.max(1, this.price + (Math.random() - 0.5) * 0.02);
      trades[index] = { symbol: this.symbol, price: Math.round(this.price * 100) / 100, size: 1, time, id: `${this.idPrefix}${(this.sent += 1)}` };
    }
    return trades;
  }
}

/** All the resolutions barcast knows: the costliest aggregation a trade-fed symbol can have. */
export const ALL_RESOLUTIONS = ['1', '5', '15', '30', '60', '240', '1D', '1W', '1M'] as const;

/** Trades per second and CPU per trade over a measured stretch of work in this process. */
export interface ThroughputFigure {
  readonly trades: number;
  readonly seconds: number;
  readonly tradesPerSecond: number;
  /** CPU time of this process per trade, in microseconds (all threads: better-sqlite3 runs on the main one). */
  readonly cpuUsPerTrade: number;
  /**
   * Trades per second of CPU time (1e6 / cpuUsPerTrade): what one core does when it is not
   * shared. On a machine shared with other work, wall-clock trades/s measure the sharing too.
   */
  readonly perCpuSecond: number;
}

export function throughput(trades: number, startedAt: number, cpuBefore: NodeJS.CpuUsage): ThroughputFigure {
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUsPerTrade = (cpu.user + cpu.system) / trades;
  return { trades, seconds, tradesPerSecond: trades / seconds, cpuUsPerTrade, perCpuSecond: 1e6 / cpuUsPerTrade };
}
