/**
 * One trade as a publisher reports it: what bars are aggregated from (issue 21). `time` is the
 * trade's own time in epoch milliseconds (event time, not arrival); `id` is the publisher's
 * trade id, unique per symbol, which makes a re-sent trade a duplicate instead of a second trade.
 */
export interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  readonly time: number;
  readonly id?: string;
}
