/** One OHLC bar (candle). `time` is the start of the bar's period, epoch milliseconds, UTC. */
export interface Bar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Prices are quoted to the cent; rounding here keeps every producer on the same grid. */
export function roundToCent(price: number): number {
  return Math.round(price * 100) / 100;
}

/** The OHLC invariant every bar we emit must satisfy. */
export function isConsistentBar(bar: Bar): boolean {
  return (
    bar.low <= Math.min(bar.open, bar.close) &&
    Math.max(bar.open, bar.close) <= bar.high &&
    bar.volume >= 0
  );
}
