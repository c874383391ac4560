import { catchError, EMPTY, exhaustMap, from, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { updateFrame, type TopicUpdate } from '../../domain/update.js';
import { BARS_KIND } from '../../domain/topic.js';
import { renewOrAcquireLease } from './lease.js';
import { publishUpdate } from './publish-update.js';
import { settledWithin, slotDeadlineMs } from './deadline.js';
import type { GeneratorLink } from './redis-link.js';
import { slotTicks } from './slot-ticks.js';

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

class GeneratorState {
  /** The publishing subscription of each topic this generator leads. */
  private readonly leading = new Map<string, Subscription>();

  constructor(private readonly options: GeneratorOptions) {}

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
        for (const topic of [...this.leading.keys()]) this.stopLeading(topic);
      };
    });
  }

  private async runSlot(slot: number): Promise<SlotReport> {
    const { link } = this.options;
    if (!link.ready()) return { slot, leading: [...this.leading.keys()] };
    const demanded = await link.demanded(this.options.topics);
    for (const topic of [...this.leading.keys()]) if (!demanded.includes(topic)) this.stopLeading(topic);
    // A shard that does not answer must not hold up the leases on the others, or they would
    // lapse too: the slot waits about half an interval at most, and a late answer still applies.
    await settledWithin(Promise.all(demanded.map((topic) => this.holdLease(topic, slot))), slotDeadlineMs(this.options.periodMs), this.options.scheduler);
    return { slot, leading: [...this.leading.keys()] };
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
    const subscription = this.options.updates(topic).subscribe({
      next: (update) => {
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
