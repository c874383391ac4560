import type { Redis } from 'ioredis';
import { catchError, EMPTY, exhaustMap, from, type Observable, type SchedulerLike } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import { mockLastBar } from '../domain/mock-bar.js';
import { parseBarsTopicKey } from '../domain/topic.js';
import type { BarGenerator } from '../streams/bar-stream.js';
import { updateMessage } from '../transport/ws/protocol.js';
import { demandedTopics } from './demand.js';
import { topicRedisKeys } from './keys.js';
import { renewOrAcquireLease } from './lease.js';
import { publishTick } from './publish-tick.js';
import { slotTicks } from './slot-ticks.js';
import { readUpdateFrame } from './update-frame.js';

export interface GeneratorOptions {
  readonly redis: Redis;
  /** Topic keys this generator may produce (the catalog); produced only while demanded. */
  readonly topics: readonly string[];
  readonly periodMs: number;
  /** A lease taken or renewed at slot n lasts until slot n + leaseIntervals (over 1, under 2). */
  readonly leaseIntervals: number;
  readonly seed: number;
  /** This generator's id in leases; unique per process. */
  readonly owner: string;
  readonly scheduler: SchedulerLike;
  readonly generate?: BarGenerator;
  readonly reportError: (topic: string | undefined, error: unknown) => void;
}

/** What one slot did: the topics this generator published. */
export interface SlotReport {
  readonly slot: number;
  readonly published: readonly string[];
}

/**
 * A generator's life: at each slot, read the demand, and for every demanded topic renew or
 * take its lease and, if leading, publish the next bar. `exhaustMap` drops a slot that
 * comes while the previous one still waits on Redis, so a slow Redis never queues ticks.
 * A failing slot is reported and the next one starts afresh, which is also how production
 * stops while Redis is unreachable and resumes once it is back.
 */
export function generatorLoop(options: GeneratorOptions): Observable<SlotReport> {
  const leading = new Map<string, Bar>();
  return slotTicks(options.periodMs, options.scheduler).pipe(
    exhaustMap((slot) =>
      from(runSlot(options, leading, slot)).pipe(
        catchError((error: unknown) => {
          options.reportError(undefined, error);
          return EMPTY;
        }),
      ),
    ),
  );
}

async function runSlot(options: GeneratorOptions, leading: Map<string, Bar>, slot: number): Promise<SlotReport> {
  // While Redis is away, the bars in `leading` are kept: if Redis comes back empty (it keeps
  // nothing on disk), they continue the series instead of starting it over.
  if (options.redis.status !== 'ready') return { slot, published: [] };
  const demanded = await demandedTopics(options.redis, options.topics);
  for (const topic of leading.keys()) if (!demanded.includes(topic)) leading.delete(topic);
  const outcomes = await Promise.all(demanded.map((topic) => tickTopic(options, leading, topic, slot)));
  return { slot, published: demanded.filter((_topic, index) => outcomes[index]) };
}

/** One slot of one topic; true if this generator published it. */
async function tickTopic(options: GeneratorOptions, leading: Map<string, Bar>, topic: string, slot: number): Promise<boolean> {
  const { redis, owner } = options;
  const keys = topicRedisKeys(topic);
  try {
    const leaseEnds = Math.round((slot + options.leaseIntervals) * options.periodMs);
    const lease = await renewOrAcquireLease(redis, keys.lease, owner, leaseEnds);
    if (lease === 'held_by_other') {
      leading.delete(topic);
      return false;
    }
    // A new leader continues from the bar stored in Redis (another generator may have moved
    // the series on); its own last bar only stands in when Redis has lost everything.
    const previous =
      lease === 'renewed'
        ? (leading.get(topic) ?? (await storedBar(redis, topic)))
        : ((await storedBar(redis, topic)) ?? leading.get(topic));
    const now = slot * options.periodMs;
    const bar = nextBar(options, topic, previous, now);
    const outcome = await publishTick(redis, keys, owner, slot, updateMessage('bars', topic, now, bar));
    if (outcome === 'published') leading.set(topic, bar);
    else leading.delete(topic);
    return outcome === 'published';
  } catch (error) {
    leading.delete(topic);
    options.reportError(topic, error);
    return false;
  }
}

async function storedBar(redis: Redis, topic: string): Promise<Bar | undefined> {
  const text = await redis.get(topicRedisKeys(topic).lastFrame);
  return text === null ? undefined : readUpdateFrame(text, topic)?.bar;
}

function nextBar(options: GeneratorOptions, topic: string, previous: Bar | undefined, now: number): Bar {
  const parsed = parseBarsTopicKey(topic);
  if (!parsed) throw new Error(`not a bars topic: ${topic}`);
  const generate = options.generate ?? mockLastBar;
  return generate(previous, now, { seed: options.seed, symbol: parsed.symbol, resolution: parsed.resolution });
}
