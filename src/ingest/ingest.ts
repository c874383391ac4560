import type { SchedulerLike } from 'rxjs';
import { requestError } from '../domain/errors.js';
import type { PublishScope } from '../domain/publish-scope.js';
import type { AdmissionRules } from '../domain/trade-admission.js';
import type { Trade } from '../domain/trade.js';
import { ACCEPTED, DUPLICATE, refused, type TradeResult } from '../domain/trade-result.js';
import type { AdmissionWatermark } from '../streams/trade-watermark.js';
import { IngestOffsetConflict } from '../store/ingest-offset-conflict.js';
import type { OffsetAdvance, TradeStore } from '../store/trade-store.js';
import { precheckTrades } from './trade-precheck.js';

export interface IngestOptions {
  readonly store: TradeStore;
  /** Where committed new trades go, in commit order (the TradeAggregator). */
  readonly aggregator: { add(trades: readonly Trade[]): void };
  /** Holds bars open while trades admitted before their final instant are being written. */
  readonly watermark: AdmissionWatermark;
  readonly rules: AdmissionRules;
  readonly scheduler: SchedulerLike;
  /** INGEST_MAX_PENDING: trades waiting to be stored past which publishers are slowed. */
  readonly maxPending: number;
  /** INGEST_BATCH_MAX: most trades per transaction. */
  readonly batchMax: number;
  /** INGEST_BATCH_WAIT_MS: how long a commit of fewer than batchMax waits for more. */
  readonly batchWaitMs: number;
  /** A commit failed (the trades are refused STORE_UNAVAILABLE); for logs and metrics. */
  readonly onStoreError?: (error: unknown) => void;
  /** A commit succeeded: how many trades it wrote and how long the store took (scheduler time); for metrics. */
  readonly onCommitted?: (commit: { readonly trades: number; readonly durationMs: number }) => void;
  /** Handing committed trades to the aggregator threw (a bug): for logs. */
  readonly onAggregatorError?: (error: unknown) => void;
  /** Runs `next` on a later turn of the event loop, between two commits (default: setImmediate; see `answer`). */
  readonly nextTurn?: (next: () => void) => void;
}

/** One trade waiting for its commit, and the publish it belongs to. */
interface Waiting {
  readonly trade: Trade;
  readonly publish: Publish;
  readonly index: number;
}

/** Where a publish sits in its symbol's trade stream (With Redis: the entry it came in). */
export interface StreamPosition {
  readonly symbol: string;
  /** The stream entry's id: committed with the publish's trades as the symbol's ingest offset. */
  readonly entryId: string;
}

/** A publish in flight: its answers so far, and its hold on the watermark. */
interface Publish {
  readonly results: TradeResult[];
  readonly position: StreamPosition | undefined;
  readonly ticket: number;
  waiting: number;
  readonly done: (results: TradeResult[]) => void;
}

/**
 * The way in for published trades (docs/architecture.md, "Trade-built bars"), the same for
 * the WebSocket and HTTP: each trade is parsed, checked against the publisher's right and
 * admitted (admitTrade) on its own, so a bad one never takes the good ones of its batch;
 * the admitted ones wait for a commit. Trades waiting together are written in one
 * transaction (group commit: up to `batchMax`, at once when the store is free, or after
 * `batchWaitMs`), and only once it has committed are they answered (accepted, or duplicate)
 * and handed to the aggregator: an acknowledgement means durable. A failed commit refuses
 * its trades with STORE_UNAVAILABLE, and the next commit tries again.
 */
export class Ingest {
  private readonly queue: Waiting[] = [];
  private committing = 0;
  private waitTimer: { unsubscribe(): void } | undefined;
  private closing = false;
  private idle: (() => void) | undefined;
  /** The ingest offset each stream-fed symbol's next commit moves from: what it read, then what it wrote. */
  private readonly offsets = new Map<string, string | undefined>();

  constructor(private readonly options: IngestOptions) {}

  /**
   * With Redis: `symbol`'s publishes now come from its trade stream, whose committed offset
   * is `offset` (as read from the store when this process took the symbol's lease). Every
   * commit of a publish with a position moves it on, or fails whole if another process moved it.
   */
  continueStream(symbol: string, offset: string | undefined): void {
    this.offsets.set(symbol, offset);
  }

  /** Trades waiting for, or in, a commit: what back-pressure is measured by. */
  get pending(): number {
    return this.queue.length + this.committing;
  }

  get maxPending(): number {
    return this.options.maxPending;
  }

  /**
   * Answers each of `items` (untrusted JSON) in order, once every admitted one is committed
   * or refused. `scope` is what the publisher's credential may publish.
   */
  publish(items: readonly unknown[], scope: PublishScope, position?: StreamPosition): Promise<TradeResult[]> {
    const now = this.options.scheduler.now();
    const { results, admitted } = precheckTrades(items, scope, this.options.rules, now, this.closing);
    if (admitted.length === 0) return Promise.resolve(results);
    return new Promise((done) => {
      const publish: Publish = { results, position, ticket: this.options.watermark.hold(now), waiting: admitted.length, done };
      for (const { trade, index } of admitted) this.queue.push({ trade, publish, index });
      this.pump();
    });
  }

  /** Takes no more trades and resolves once every waiting one is answered. */
  close(): Promise<void> {
    this.closing = true;
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle = resolve));
  }

  private pump(): void {
    if (this.committing > 0 || this.queue.length === 0 || this.waitTimer) return;
    const { batchMax, batchWaitMs, scheduler } = this.options;
    if (this.queue.length < batchMax && batchWaitMs > 0 && !this.closing) {
      this.waitTimer = scheduler.schedule(() => {
        this.waitTimer = undefined;
        this.commit();
      }, batchWaitMs);
      return;
    }
    this.commit();
  }

  private commit(): void {
    if (this.committing > 0 || this.queue.length === 0) return;
    // A publish from a stream is never split between two commits: its entry is committed whole or
    // not at all, so a new leader that continues after the stored offset never finds half an entry stored.
    let size = Math.min(this.options.batchMax, this.queue.length);
    const last = this.queue[size - 1]?.publish;
    while (last?.position && size < this.queue.length && this.queue[size]?.publish === last) size += 1;
    const batch = this.queue.splice(0, size);
    this.committing = batch.length;
    const advances = this.advancesOf(batch);
    const started = this.options.scheduler.now();
    // A store that throws instead of rejecting is refused the same way.
    new Promise<readonly boolean[]>((resolve) => resolve(this.options.store.appendTrades(batch.map((waiting) => waiting.trade), advances))).then(
      (fresh) => {
        this.options.onCommitted?.({ trades: batch.length, durationMs: this.options.scheduler.now() - started });
        for (const { symbol, next } of advances) this.offsets.set(symbol, next);
        // Handed over before anyone hears of it, so a publisher told "accepted" finds the trade in the bar.
        try {
          this.options.aggregator.add(batch.filter((_, index) => fresh[index] === true).map((waiting) => waiting.trade));
        } catch (error) {
          // The trades are durable whatever went wrong downstream: they are answered, and a restart rebuilds their bars.
          this.options.onAggregatorError?.(error);
        }
        this.answer(batch, (index) => (fresh[index] === true ? ACCEPTED : DUPLICATE));
      },
      (error: unknown) => {
        // Lost to another process: its stream is not ours any more (the owner stops and, if it leads again, reads the offset anew).
        if (error instanceof IngestOffsetConflict) this.offsets.delete(error.symbol);
        this.options.onStoreError?.(error);
        const unavailable = refused(requestError('STORE_UNAVAILABLE'));
        this.answer(batch, () => unavailable);
      },
    );
  }

  /** Each stream-fed symbol's offset move in a commit: to the last entry of the batch. */
  private advancesOf(batch: readonly Waiting[]): OffsetAdvance[] {
    const last = new Map<string, string>();
    for (const { publish } of batch) if (publish.position) last.set(publish.position.symbol, publish.position.entryId);
    return [...last].map(([symbol, next]) => ({ symbol, expected: this.offsets.get(symbol), next }));
  }

  private answer(batch: readonly Waiting[], resultOf: (index: number) => TradeResult): void {
    batch.forEach((waiting, index) => {
      const { publish } = waiting;
      publish.results[waiting.index] = resultOf(index);
      publish.waiting -= 1;
      if (publish.waiting === 0) {
        this.options.watermark.release(publish.ticket);
        publish.done(publish.results);
      }
    });
    this.committing = 0;
    if (this.pending === 0) this.idle?.();
    // The next commit waits for a later turn of the event loop: a synchronous store (SQLite)
    // settles at once, so commits chained in microtasks drained a whole backlog without
    // reading a socket, sending an update or firing a timer (event-loop stalls of 0.4-1.8 s
    // at 50,000 trades/s, bench T3). Trades read meanwhile join the next, larger commit.
    if (this.queue.length > 0) (this.options.nextTurn ?? setImmediate)(() => this.pump());
  }
}
