import { concat, defer, EMPTY, merge, of, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { nextPeriodStart, periodStart, type Resolution } from '../../domain/resolution.js';
import type { BarsTopic } from '../../domain/topic.js';
import { barsTopicKey } from '../../domain/topic.js';
import type { Trade } from '../../domain/trade.js';
import type { TopicUpdate } from '../../domain/update.js';
import { BASE_RESOLUTION } from '../../streams/bars-topic.js';
import { aggregateTrades, type TradeWatermark } from '../../streams/operators/aggregate-trades.js';
import type { StoredBar, TradeStore } from '../../store/trade-store.js';

export interface TradeAggregatorOptions {
  /** The trade-fed symbols (INGEST_SYMBOLS). */
  readonly symbols: readonly string[];
  /** The configured resolutions; `1` is always aggregated too (admission and quotes lean on it). */
  readonly resolutions: readonly Resolution[];
  readonly latenessMs: number;
  /** Finals kept in memory per topic, for resumes (HISTORY_MAX_BARS). */
  readonly maxBars: number;
  readonly store: TradeStore;
  readonly scheduler: SchedulerLike;
  /** The ingest's commits in flight: no bar goes final while a trade admitted before its final instant is being written. */
  readonly watermark?: TradeWatermark;
  /** A failure to store finals (they are retried with the next ones, and rebuilt from trades on a restart). */
  readonly onError?: (error: unknown) => void;
}

/** The in-memory finals of one topic, newest last, and whether older ones exist that it no longer holds. */
export interface RecentFinals {
  readonly bars: readonly Bar[];
  readonly truncated: boolean;
}

/** One topic's aggregation: its trades in, its updates out, what it shows now, its recent finals. */
interface TopicAggregation {
  /** A trade, or a commit's worth of them (folded whole: one update per batch, see aggregateTrades). */
  readonly trades: Subject<Trade | readonly Trade[]>;
  readonly live: Subject<TopicUpdate<Bar>>;
  latest: TopicUpdate<Bar> | undefined;
  finals: Bar[];
  truncated: boolean;
  /** Time of the newest final already in the store at start: replayed trades of it or before are skipped. */
  storedUpTo: number;
  /** Its aggregation, while it runs. */
  running?: Subscription;
}

/**
 * The aggregation of every trade-fed symbol at every resolution, running from start to
 * shutdown whether or not anyone watches (docs/architecture.md, "The always-on aggregator"):
 * finals must reach history either way. Topics are views on it (`updates`). Committed trades
 * come in through `add`, in commit order; each final goes to `store.saveBars` and into the
 * recent finals a resume is served from.
 *
 * On start it recovers (docs/architecture.md, "Recovery"): the recent finals of each topic
 * from the store, then the stored trades after each topic's last final, folded again, so
 * the forming bars are what they were before a stop or a crash and a bar that should have
 * closed meanwhile closes (and is stored) at once.
 */
export class TradeAggregator {
  private readonly topics = new Map<string, TopicAggregation>();
  /** Each symbol's topics, every resolution: what a commit goes to (no key is built per trade). */
  private readonly bySymbol = new Map<string, TopicAggregation[]>();
  private readonly resolutions: readonly Resolution[];
  private pendingBars: StoredBar[] = [];
  private saving: Promise<void> = Promise.resolve();
  private flushQueued = false;
  /** Symbols whose stored trades are being replayed: no bar of theirs is shown or goes final until all are in. */
  private readonly recovering = new Set<string>();
  private readonly recovered = new Subject<void>();

  constructor(private readonly options: TradeAggregatorOptions) {
    this.resolutions = [...new Set<Resolution>([BASE_RESOLUTION, ...options.resolutions])];
  }

  /** What a symbol's bars wait for: its recovery, then the ingest's commits in flight. */
  private watermarkOf(symbol: string): TradeWatermark {
    const ingest = this.options.watermark;
    return {
      heldBefore: () => (this.recovering.has(symbol) ? Number.NEGATIVE_INFINITY : (ingest?.heldBefore() ?? Number.POSITIVE_INFINITY)),
      released$: ingest ? merge(this.recovered, ingest.released$) : this.recovered,
    };
  }

  /** Whether `symbol`'s bars come from trades. */
  isTradeFed(symbol: string): boolean {
    return this.options.symbols.includes(symbol);
  }

  /** Recovers every symbol from the store, then runs its aggregation (standalone). Trades may be added once it resolves. */
  async start(): Promise<void> {
    for (const symbol of this.options.symbols) await this.lead(symbol);
  }

  /** Whether this process aggregates `symbol` now (standalone: from start; a generator: while it holds the symbol's lease). */
  leads(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  /**
   * Recovers `symbol` from the store and runs its aggregation (docs/architecture.md,
   * "Recovery"): standalone at start, a generator when it takes the symbol's lease (With
   * Redis), so the forming bars are what the previous leader had. Its trades may be added
   * once it resolves.
   */
  async lead(symbol: string): Promise<void> {
    if (this.leads(symbol)) return;
    const { store, maxBars } = this.options;
    this.recovering.add(symbol);
    const replays: [TopicAggregation, Resolution][] = [];
    let from = Number.POSITIVE_INFINITY;
    try {
      for (const resolution of this.resolutions) {
        const finals = [...(await store.bars(symbol, resolution, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, maxBars))];
        const last = finals.at(-1);
        replays.push([
          { trades: new Subject(), live: new Subject(), latest: undefined, finals, truncated: finals.length >= maxBars, storedUpTo: last?.time ?? Number.NEGATIVE_INFINITY },
          resolution,
        ]);
        from = Math.min(from, last === undefined ? 0 : nextPeriodStart(resolution, last.time));
      }
      const stored = await store.tradesSince(symbol, from);
      for (const [topic, resolution] of replays) {
        this.topics.set(barsTopicKey(symbol, resolution), topic);
        this.run(symbol, resolution, topic);
      }
      this.bySymbol.set(
        symbol,
        replays.map(([topic]) => topic),
      );
      // In arrival order, as they were folded live; nothing settles until all are in (see
      // `watermarkOf`), so a bar long due closes with every trade it had, late ones included.
      for (const [topic, resolution] of replays) {
        for (const trade of stored) if (periodStart(resolution, trade.time) > topic.storedUpTo) topic.trades.next(trade);
      }
    } finally {
      this.recovering.delete(symbol);
      this.recovered.next();
    }
  }

  /**
   * Stops aggregating `symbol` here (a generator lost its lease): its topics complete, and the
   * finals already made go on to the store. Another process recovers it from the store.
   */
  release(symbol: string): void {
    for (const resolution of this.resolutions) {
      const key = barsTopicKey(symbol, resolution);
      const topic = this.topics.get(key);
      if (!topic) continue;
      this.topics.delete(key);
      topic.running?.unsubscribe();
      topic.live.complete();
    }
    this.bySymbol.delete(symbol);
    this.flush();
  }

  /**
   * Committed new trades, in commit order: folded into the bars of every resolution of their
   * symbol, each symbol's trades of the commit as one batch (one update per topic, not one per trade).
   */
  add(trades: readonly Trade[]): void {
    // One commit's updates per topic: each symbol's trades of the commit go to its topics as
    // one batch, folded whole and settled once by aggregateTrades, which then gives at most one
    // forming update (after the finals the batch's instant closes): a commit of 5,000 trades is
    // one update for the fan-out to frame and send, and the fold costs no settle per trade.
    const batches = new Map<string, Trade[]>();
    for (const trade of trades) {
      const batch = batches.get(trade.symbol);
      if (batch) batch.push(trade);
      else batches.set(trade.symbol, [trade]);
    }
    for (const [symbol, batch] of batches) {
      for (const topic of this.bySymbol.get(symbol) ?? []) topic.trades.next(batch);
    }
  }

  /** A topic's live updates: the bar it shows now (if one is forming), then every update. Cold. */
  updates({ symbol, resolution }: BarsTopic): Observable<TopicUpdate<Bar>> {
    return defer(() => {
      const topic = this.topics.get(barsTopicKey(symbol, resolution));
      if (!topic) return EMPTY;
      const current = topic.latest;
      return current !== undefined && current.final !== true ? concat(of(current), topic.live) : topic.live;
    });
  }

  /** The bar a topic shows now, if one is forming. */
  forming({ symbol, resolution }: BarsTopic): Bar | undefined {
    const latest = this.topics.get(barsTopicKey(symbol, resolution))?.latest;
    return latest !== undefined && latest.final !== true ? latest.value : undefined;
  }

  /** The finals a topic holds in memory (up to HISTORY_MAX_BARS, newest last). */
  recentFinals({ symbol, resolution }: BarsTopic): RecentFinals {
    const topic = this.topics.get(barsTopicKey(symbol, resolution));
    return { bars: topic?.finals ?? [], truncated: topic?.truncated ?? false };
  }

  /** Stops aggregating and waits for the finals on their way to the store. */
  async stop(): Promise<void> {
    for (const symbol of [...this.bySymbol.keys()]) this.release(symbol);
    await this.saving;
  }

  private run(symbol: string, resolution: Resolution, topic: TopicAggregation): void {
    const { latenessMs, scheduler } = this.options;
    topic.running = topic.trades.pipe(aggregateTrades(resolution, latenessMs, scheduler, this.watermarkOf(symbol))).subscribe((update) => {
      if (update.final === true) this.keepFinal(symbol, resolution, topic, update.value);
      this.publish(topic, update);
    });
  }

  private publish(topic: TopicAggregation, update: TopicUpdate<Bar>): void {
    topic.latest = update;
    topic.live.next(update);
  }

  private keepFinal(symbol: string, resolution: Resolution, topic: TopicAggregation, bar: Bar): void {
    topic.finals.push(bar);
    if (topic.finals.length > this.options.maxBars) {
      topic.finals.shift();
      topic.truncated = true;
    }
    this.pendingBars.push({ symbol, resolution, bar });
    // The finals of one instant (every resolution's, every symbol's) go in one write.
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pendingBars.length === 0) return;
    const bars = this.pendingBars;
    this.pendingBars = [];
    this.saving = this.saving.then(() =>
      this.options.store.saveBars(bars).catch((error: unknown) => {
        // Kept for the next write; a restart rebuilds them from the stored trades anyway.
        this.pendingBars = [...bars, ...this.pendingBars];
        this.options.onError?.(error);
      }),
    );
  }
}
