import type { Bar } from '../../domain/bar.js';
import type { Resolution } from '../../domain/resolution.js';
import { barsTopicKey, type BarsTopic } from '../../domain/topic.js';
import type { TopicUpdate } from '../../domain/update.js';
import { BASE_RESOLUTION } from '../../streams/bars-topic.js';
import type { TradeFedFinals } from '../../streams/bars-resume.js';
import type { TradeStore } from '../../store/trade-store.js';
import type { RecentFinals } from './trade-aggregator.js';

export interface GatewayTradeViewOptions {
  readonly symbols: readonly string[];
  /** The configured resolutions; `1` is always there too (the generators aggregate it). */
  readonly resolutions: readonly Resolution[];
  /** Finals kept per topic (HISTORY_MAX_BARS). */
  readonly maxBars: number;
  readonly store: Pick<TradeStore, 'bars'>;
  readonly onError?: (error: unknown) => void;
}

interface TopicView {
  finals: Bar[];
  truncated: boolean;
  latest: TopicUpdate<Bar> | undefined;
}

/**
 * What a gateway knows of its trade-fed topics without asking the database (docs/architecture.md,
 * "With Redis"): each topic's recent finals, loaded from the store at start and kept current
 * from the updates it receives off Redis (the gateway subscribes every trade-fed topic for its
 * whole life, see gatewayTradesEngine), and the bar each shows now. So a `since` resume is
 * answered on the subscriber's turn (resumeTradeBars), as standalone answers it from its
 * aggregator, and UDF's forming bar is at hand. A bar that moved on without a final the gateway
 * saw (a lost publish, a failover) makes it load the topic's finals from the store again.
 */
export class GatewayTradeView implements TradeFedFinals {
  private readonly topics = new Map<string, TopicView>();
  private readonly resolutions: readonly Resolution[];

  constructor(private readonly options: GatewayTradeViewOptions) {
    this.resolutions = [...new Set<Resolution>([BASE_RESOLUTION, ...options.resolutions])];
    for (const topic of this.allTopics()) this.topics.set(barsTopicKey(topic.symbol, topic.resolution), { finals: [], truncated: false, latest: undefined });
  }

  /** Finals kept per topic (HISTORY_MAX_BARS). */
  get maxBars(): number {
    return this.options.maxBars;
  }

  isTradeFed(symbol: string): boolean {
    return this.options.symbols.includes(symbol);
  }

  /** Every trade-fed topic: each symbol at `1` and at every configured resolution. */
  allTopics(): BarsTopic[] {
    return this.options.symbols.flatMap((symbol) => this.resolutions.map((resolution) => ({ symbol, resolution })));
  }

  /** Loads every topic's recent finals from the store; before the server listens. */
  async load(): Promise<void> {
    await Promise.all(this.allTopics().map((topic) => this.reload(topic)));
  }

  /** An update of `topic` as the gateway received it. */
  observe(topic: BarsTopic, update: TopicUpdate<Bar>): void {
    const view = this.topics.get(barsTopicKey(topic.symbol, topic.resolution));
    if (!view) return;
    const previous = view.latest;
    view.latest = update;
    if (update.final === true) this.keep(view, [update.value]);
    // The first update since start (a final may have gone out between the load and the
    // subscription), or the bar before this one never came final here (its final was lost on
    // the way): history has what was missed.
    const missed = previous === undefined || (previous.final !== true && previous.value.time < update.value.time);
    if (missed) this.reload(topic).catch((error: unknown) => this.options.onError?.(error));
  }

  forming(topic: BarsTopic): Bar | undefined {
    const latest = this.topics.get(barsTopicKey(topic.symbol, topic.resolution))?.latest;
    return latest !== undefined && latest.final !== true ? latest.value : undefined;
  }

  /** The stored finals of `topic` with `from <= time < to` (at most HISTORY_MAX_BARS, the newest): what fills a final lost on the way. */
  storedFinals(topic: BarsTopic, from: number, to: number): Promise<readonly Bar[]> {
    return this.options.store.bars(topic.symbol, topic.resolution, from, to, this.options.maxBars);
  }

  recentFinals(topic: BarsTopic): RecentFinals {
    const view = this.topics.get(barsTopicKey(topic.symbol, topic.resolution));
    return { bars: view?.finals ?? [], truncated: view?.truncated ?? false };
  }

  private async reload(topic: BarsTopic): Promise<void> {
    const { maxBars, store } = this.options;
    const stored = await store.bars(topic.symbol, topic.resolution, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, maxBars);
    const view = this.topics.get(barsTopicKey(topic.symbol, topic.resolution));
    if (!view) return;
    if (stored.length >= maxBars) view.truncated = true;
    this.keep(view, stored);
  }

  /** Merges finals into the topic's, by time (a bar is final once: the same time is the same bar), newest kept. */
  private keep(view: TopicView, bars: readonly Bar[]): void {
    const byTime = new Map(view.finals.map((bar) => [bar.time, bar]));
    for (const bar of bars) byTime.set(bar.time, bar);
    const merged = [...byTime.values()].sort((a, b) => a.time - b.time);
    if (merged.length > this.options.maxBars) {
      merged.splice(0, merged.length - this.options.maxBars);
      view.truncated = true;
    }
    view.finals = merged;
  }
}
