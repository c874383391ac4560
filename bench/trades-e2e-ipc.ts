/**
 * The control messages of T3's child processes (bench/trades-e2e-workload.ts): a publisher
 * that sends trades at a fixed rate and says when each batch left and how many of it were
 * accepted, and a process of subscribers that says when each bar update arrived. Times are
 * `monotonicMs()`: the system's monotonic clock, the same in every process on the machine.
 */

export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface PublisherStart {
  readonly type: 'start';
  readonly url: string;
  readonly token: string;
  readonly symbol: string;
  readonly tradesPerSecond: number;
  /** How often a batch leaves (each carries the trades due since the last one). */
  readonly batchEveryMs: number;
}

/** One publish: when it left and when its answer came, its trades' time (they share it), how many it had and how many were accepted. */
export interface SentBatch {
  readonly sentAt: number;
  /** When the publisher read its answer (NaN if none came): send to durable acknowledgement. */
  readonly answeredAt: number;
  readonly tradeTime: number;
  readonly trades: number;
  readonly accepted: number;
}

export type PublisherRequest = PublisherStart | { readonly type: 'finish' } | { readonly type: 'stop' };
export type PublisherReply =
  | { readonly type: 'start' }
  /** Every batch, in the order sent (which is the order the server commits them in). */
  | {
      readonly type: 'finish';
      readonly batches: readonly SentBatch[];
      readonly unanswered: number;
      readonly refusals: Readonly<Record<string, number>>;
      /** Batches not sent when due because 50,000 trades were unanswered (back-pressure). */
      readonly heldBack: number;
    }
  | { readonly type: 'stop' };

export interface SubscriberStart {
  readonly type: 'start';
  readonly url: string;
  readonly clients: number;
  readonly symbol: string;
  readonly resolution: string;
}

/** Bar updates one client received, as parallel arrays: the bar's time, its volume, when it arrived. */
export interface ReceivedUpdates {
  readonly barTime: number[];
  readonly volume: number[];
  readonly receivedAt: number[];
}

export type SubscriberRequest = SubscriberStart | { readonly type: 'finish' } | { readonly type: 'stop' };
export type SubscriberReply =
  | { readonly type: 'start' }
  | { readonly type: 'finish'; readonly clients: readonly ReceivedUpdates[] }
  | { readonly type: 'stop' };
