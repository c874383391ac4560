import type { Bar } from './bar.js';
import type { Trade } from './trade.js';

/**
 * A bar being built from trades, with what the fold needs to stay independent of arrival
 * order: the trade times its open and close came from.
 */
export interface TradeBar {
  readonly bar: Bar;
  /** Time of the trade the open is from: the earliest seen. */
  readonly openTime: number;
  /** Time of the trade the close is from: the latest seen. */
  readonly closeTime: number;
}

/**
 * Folds one trade into the bar of its period that starts at `barTime` (undefined: the
 * period's first trade). open is the price of the earliest trade by trade time and close of
 * the latest; between trades of the same time, the first to arrive keeps the open and the
 * last to arrive takes the close. high, low and volume (the sum of sizes) do not depend on
 * order at all, so a late trade changes a bar exactly as if it had come in time.
 */
export function foldTrade(current: TradeBar | undefined, trade: Trade, barTime: number): TradeBar {
  const { price, size, time } = trade;
  if (current === undefined) {
    return { bar: { time: barTime, open: price, high: price, low: price, close: price, volume: size }, openTime: time, closeTime: time };
  }
  const { bar } = current;
  const opens = time < current.openTime;
  const closes = time >= current.closeTime;
  return {
    bar: {
      time: bar.time,
      open: opens ? price : bar.open,
      high: Math.max(bar.high, price),
      low: Math.min(bar.low, price),
      close: closes ? price : bar.close,
      volume: bar.volume + size,
    },
    openTime: opens ? time : current.openTime,
    closeTime: closes ? time : current.closeTime,
  };
}
