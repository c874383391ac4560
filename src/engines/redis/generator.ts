import { catchError, EMPTY, exhaustMap, from, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { updateFrame, type TopicUpdate } from '../../domain/update.js';
import { BARS_KIND } from '../../domain/topic.js';
import { renewOrAcquireLease } from './lease.js';
import { publishUpdate } from './publish-update.js';
import { settledWithin, slotDeadlineMs } from './deadline.js';
import type { GeneratorLink } from './redis-link.js';
import { slotTicks } from './slot-ticks.js';
import type { TradeResult } from '../../domain/trade-result.js';
import { forwardReplyText, type StreamEntry } from './trade-stream.js';
import { readTradeStreamEntries } from './trade-stream-reader.js';

/**
 * What a generator leads trade-fed symbols with (docs/architecture.md, "With Redis"): the
 * ingest of the symbols' trade streams and their aggregation (src/ingest/stream-ingest.ts
 * implements it; handed down by the composition root).
 */
export interface TradeFedLeading {
  readonly symbols: readonly string[];
  /** Recovers the symbol's bars and resolves with the stream offset to continue after. */
  lead(symbol: string): Promise<string | undefined>;
  release(symbol: string): void;
  /** One stream entry: its trades' results, or undefined when the lead ended meanwhile (no answer then). */
  ingestEntry(symbol: string, entryId: string, trades: readonly unknown[]): Promise<readonly TradeResult[] | undefined>;
  /** Called with a symbol whose lead ended by itself (another process committed its stream). */
  onLost(listener: (symbol: string) => void): void;
  readonly pending: number;
  readonly maxPending: number;
}

export interface TradeFedTopics extends TradeFedLeading {
  /** Every bars topic of a trade-fed symbol, its base topic (`bars:SYMBOL:1`) first. */
  topicsOf(symbol: string): readonly string[];
}

export interface GeneratorOptions {
  /** Its Redis: one server, or a cluster (leases and publishes land on each topic's shard). */
  readonly link: GeneratorLink;
  /** Topic keys this generator may produce (the catalog); produced only while demanded. */
  readonly topics: readonly string[];
  readonly periodMs: number;
  /** A lease taken or renewed at slot n lasts until slot n + leaseIntervals (over 1, under 2). */
  readonly leaseIntervals: number;
  /** This generator's id in leases; unique per process. */
  readonly owner: string;
  readonly scheduler: SchedulerLike;
  /** The topic's numbered updates, computed in this process (the hub's shared stream). */
  readonly updates: (topic: string) => Observable<TopicUpdate<Bar>>;
  readonly reportError: (topic: string | undefined, error: unknown) => void;
  /** Every publish's outcome: true when Redis took it (readiness follows the latest). */
  readonly onPublished?: (topic: string, ok: boolean) => void;
  /** This generator started or stopped leading a topic. */
  readonly onLeadership?: (topic: string, leading: boolean) => void;
  /** Trade-fed symbols: led always (not on demand), their trade streams ingested here while led. */
  readonly tradeFed?: TradeFedTopics;
}

/** What one slot did: the topics this generator leads after it. */
export interface SlotReport {
  readonly slot: number;
  readonly leading: readonly string[];
}

/**
 * A generator's life: at each slot, read the demand, and for every demanded topic renew or
 * take its lease. While it leads a topic it subscribes the topic's stream, the very pipeline
 * standalone runs, and publishes each update's frame through the lease-guarded script; once
 * it loses the lease, or nobody wants the topic, it unsubscribes (and the hub stops the
 * topic's timers by refcount). `exhaustMap` drops a slot that comes while the previous one
 * still waits on Redis, so a slow Redis never queues ticks. A failing slot is reported and
 * the next one starts afresh, which is also how it rides out a Redis outage.
 */
export function generatorLoop(options: GeneratorOptions): Observable<SlotReport> {
  return new GeneratorState(options).run();
}

/** A trade-fed symbol this generator leads: recovering, or ingesting its stream. */
interface LedSymbol {
  ingesting: boolean;
  stopReading?: () => void;
  /** When the base lease this process last set runs out (its clock). */
  leaseEnds: number;
}

class GeneratorState {
  /** The publishing subscription of each topic this generator leads. */
  private readonly leading = new Map<string, Subscription>();
  private readonly ledSymbols = new Map<string, LedSymbol>();

  constructor(private readonly options: GeneratorOptions) {
    options.tradeFed?.onLost((symbol) => this.stopLeadingSymbol(symbol));
  }

  run(): Observable<SlotReport> {
    const { periodMs, scheduler } = this.options;
    return new Observable<SlotReport>((subscriber) => {
      const slots = slotTicks(periodMs, scheduler)
        .pipe(
          exhaustMap((slot) =>
            from(this.runSlot(slot)).pipe(
              catchError((error: unknown) => {
                this.options.reportError(undefined, error);
                return EMPTY;
              }),
            ),
          ),
        )
        .subscribe(subscriber);
      return () => {
        slots.unsubscribe();
        for (const symbol of [...this.ledSymbols.keys()]) this.stopLeadingSymbol(symbol);
        for (const topic of [...this.leading.keys()]) this.stopLeading(topic);
      };
    });
  }

  private async runSlot(slot: number): Promise<SlotReport> {
    const { link } = this.options;
    if (!link.ready()) {
      this.dropLapsedSymbols();
      return { slot, leading: [...this.leading.keys()] };
    }
    const demanded = await link.demanded(this.options.topics);
    // Trade-fed topics are led with their symbol, not on demand (holdSymbolLeases).
    for (const topic of [...this.leading.keys()]) if (!demanded.includes(topic) && !this.isTradeFedTopic(topic)) this.stopLeading(topic);
    // A shard that does not answer must not hold up the leases on the others, or they would
    // lapse too: the slot waits about half an interval at most, and a late answer still applies.
    const tradeFed = this.options.tradeFed?.symbols ?? [];
    await settledWithin(
      Promise.all([...demanded.map((topic) => this.holdLease(topic, slot)), ...tradeFed.map((symbol) => this.holdSymbolLeases(symbol, slot))]),
      slotDeadlineMs(this.options.periodMs),
      this.options.scheduler,
    );
    return { slot, leading: [...this.leading.keys()] };
  }

  /**
   * A trade-fed symbol's leases, taken whatever the demand (its finals must reach history with
   * nobody watching): the base topic's first, which decides who ingests and aggregates the
   * symbol; then, only by its holder, those of the symbol's other topics, whose updates come
   * from the same aggregation (publishes are lease-guarded per topic).
   */
  private async holdSymbolLeases(symbol: string, slot: number): Promise<void> {
    const tradeFed = this.options.tradeFed;
    if (!tradeFed) return;
    const [base, ...others] = tradeFed.topicsOf(symbol);
    if (base === undefined) return;
    let lease: Awaited<ReturnType<typeof renewOrAcquireLease>>;
    const leaseEnds = Math.round((slot + this.options.leaseIntervals) * this.options.periodMs);
    try {
      lease = await this.renew(base, slot);
    } catch (error) {
      this.options.reportError(base, error);
      this.dropLapsedSymbols();
      return;
    }
    if (lease === 'held_by_other') return this.stopLeadingSymbol(symbol);
    const led = this.ledSymbols.get(symbol);
    if (!led) return this.startLeadingSymbol(symbol, base, leaseEnds);
    led.leaseEnds = leaseEnds;
    if (!led.ingesting) return; // still recovering: its topics are claimed once it ingests
    await Promise.all(
      others.map(async (topic) => {
        try {
          if ((await this.renew(topic, slot)) === 'held_by_other') this.stopLeading(topic);
          else this.startLeading(topic);
        } catch (error) {
          this.options.reportError(topic, error);
        }
      }),
    );
  }

  /** Redis away past the lease this process held on a symbol: it leads it no more, so it stops ingesting it (another may take over). */
  private dropLapsedSymbols(): void {
    const now = this.options.scheduler.now();
    for (const [symbol, led] of [...this.ledSymbols]) if (now >= led.leaseEnds) this.stopLeadingSymbol(symbol);
  }

  private isTradeFedTopic(topic: string): boolean {
    const tradeFed = this.options.tradeFed;
    return tradeFed !== undefined && tradeFed.symbols.some((symbol) => tradeFed.topicsOf(symbol).includes(topic));
  }

  private renew(topic: string, slot: number) {
    const { link, owner, periodMs, leaseIntervals } = this.options;
    return renewOrAcquireLease(link.commands, link.keysOf(topic).lease, owner, Math.round((slot + leaseIntervals) * periodMs), this.options.scheduler.now());
  }

  /** Recovers the symbol (the previous leader's forming bars, from the store), then publishes its base topic and ingests its stream. */
  private startLeadingSymbol(symbol: string, base: string, leaseEnds: number): void {
    const tradeFed = this.options.tradeFed;
    if (!tradeFed) return;
    const led: LedSymbol = { ingesting: false, leaseEnds };
    this.ledSymbols.set(symbol, led);
    tradeFed.lead(symbol).then(
      (offset) => {
        if (this.ledSymbols.get(symbol) !== led) return;
        led.ingesting = true;
        this.startLeading(base);
        led.stopReading = this.readStream(symbol, base, offset, tradeFed);
      },
      (error: unknown) => {
        // The store could not be read: let go, and try again at the next slot.
        if (this.ledSymbols.get(symbol) === led) this.ledSymbols.delete(symbol);
        this.options.reportError(base, error);
      },
    );
  }

  private readStream(symbol: string, base: string, offset: string | undefined, tradeFed: TradeFedTopics): () => void {
    const { link, scheduler } = this.options;
    const connection = link.openConnection(`barcast-generator-trades-${symbol}`);
    const reader = readTradeStreamEntries({
      connection: connection.commands,
      key: link.keysOf(base).tradeStream,
      after: offset,
      full: () => tradeFed.pending >= tradeFed.maxPending,
      scheduler,
      reportError: (error) => this.options.reportError(base, error),
      onEntry: (entry) => this.ingestEntry(symbol, base, entry, tradeFed),
    });
    return () => {
      reader.stop();
      connection.close();
    };
  }

  private ingestEntry(symbol: string, base: string, entry: StreamEntry, tradeFed: TradeFedTopics): void {
    const { link } = this.options;
    tradeFed.ingestEntry(symbol, entry.id, entry.trades).then(
      (results) => {
        if (results === undefined || entry.replyTo === '') return;
        const text = forwardReplyText({ requestId: entry.requestId, results });
        const sent = link.publishCommand === 'SPUBLISH' ? link.commands.spublish(entry.replyTo, text) : link.commands.publish(entry.replyTo, text);
        // A lost answer times out at the gateway (INGEST_UNAVAILABLE), which is what it must say then.
        sent.catch((error: unknown) => this.options.reportError(base, error));
      },
      (error: unknown) => this.options.reportError(base, error),
    );
  }

  private stopLeadingSymbol(symbol: string): void {
    const led = this.ledSymbols.get(symbol);
    if (!led) return;
    this.ledSymbols.delete(symbol);
    led.stopReading?.();
    for (const topic of this.options.tradeFed?.topicsOf(symbol) ?? []) this.stopLeading(topic);
    this.options.tradeFed?.release(symbol);
  }

  private async holdLease(topic: string, slot: number): Promise<void> {
    const { link, owner, periodMs, leaseIntervals } = this.options;
    try {
      const leaseEnds = Math.round((slot + leaseIntervals) * periodMs);
      const lease = await renewOrAcquireLease(link.commands, link.keysOf(topic).lease, owner, leaseEnds, this.options.scheduler.now());
      if (lease === 'held_by_other') this.stopLeading(topic);
      else this.startLeading(topic);
    } catch (error) {
      this.options.reportError(topic, error);
    }
  }

  private startLeading(topic: string): void {
    if (this.leading.has(topic)) return;
    const { link, owner } = this.options;
    const keys = link.keysOf(topic);
    this.options.onLeadership?.(topic, true);
    // Each update goes out with a later time than the one before it (gateways keep only newer
    // ones, and the publish script refuses one not later than the last): trade-fed topics can
    // send two in one millisecond (a final and the next bar's first state).
    let lastTs = Number.NEGATIVE_INFINITY;
    const subscription = this.options.updates(topic).subscribe({
      next: (received) => {
        const update = received.ts > lastTs ? received : { ...received, ts: lastTs + 1 };
        lastTs = update.ts;
        publishUpdate(link.commands, keys, owner, update.ts, updateFrame(BARS_KIND, topic, update), link.publishCommand).then(
          () => {
            // 'not_leader' (the lease lapsed under a long pause) is settled at the next slot: the
            // stream keeps its numbering if this generator takes the lease again, and stops if
            // another has it. Updates in between are not published, like conflated ones.
            this.options.onPublished?.(topic, true);
          },
          (error: unknown) => {
            this.options.onPublished?.(topic, false);
            this.options.reportError(topic, error);
          },
        );
      },
      error: (error: unknown) => this.options.reportError(topic, error),
    });
    this.leading.set(topic, subscription);
  }

  private stopLeading(topic: string): void {
    const subscription = this.leading.get(topic);
    if (!subscription) return;
    this.leading.delete(topic);
    subscription.unsubscribe();
    this.options.onLeadership?.(topic, false);
  }
}
