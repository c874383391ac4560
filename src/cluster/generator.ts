import type { Redis } from 'ioredis';
import { catchError, EMPTY, exhaustMap, from, type Observable, type SchedulerLike } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import { mockLastBar } from '../domain/mock-bar.js';
import { closeBetween } from '../domain/resolution.js';
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
/**
 * The last bar this generator published of a topic, at `ts`. `current` while it is sure
 * nothing was published since (it kept its lease and its last publish succeeded); otherwise
 * kept only as a stand-in for when Redis has lost the stored bar.
 */
interface KnownBar {
  readonly bar: Bar;
  readonly ts: number;
  readonly current: boolean;
}

export function generatorLoop(options: GeneratorOptions): Observable<SlotReport> {
  const known = new Map<string, KnownBar>();
  return slotTicks(options.periodMs, options.scheduler).pipe(
    exhaustMap((slot) =>
      from(runSlot(options, known, slot)).pipe(
        catchError((error: unknown) => {
          options.reportError(undefined, error);
          return EMPTY;
        }),
      ),
    ),
  );
}

async function runSlot(options: GeneratorOptions, known: Map<string, KnownBar>, slot: number): Promise<SlotReport> {
  // While Redis is away the known bars are kept: if Redis comes back empty (it keeps nothing
  // on disk), they continue the series instead of starting it over.
  if (options.redis.status !== 'ready') return { slot, published: [] };
  const demanded = await demandedTopics(options.redis, options.topics);
  for (const topic of known.keys()) if (!demanded.includes(topic)) known.delete(topic);
  const outcomes = await Promise.all(demanded.map((topic) => tickTopic(options, known, topic, slot)));
  return { slot, published: demanded.filter((_topic, index) => outcomes[index]) };
}

/** One slot of one topic; true if this generator published it. */
async function tickTopic(options: GeneratorOptions, known: Map<string, KnownBar>, topic: string, slot: number): Promise<boolean> {
  const { redis, owner } = options;
  const keys = topicRedisKeys(topic);
  const doubt = (): void => {
    const last = known.get(topic);
    if (last) known.set(topic, { ...last, current: false });
  };
  try {
    const leaseEnds = Math.round((slot + options.leaseIntervals) * options.periodMs);
    const lease = await renewOrAcquireLease(redis, keys.lease, owner, leaseEnds);
    if (lease === 'held_by_other') {
      doubt();
      return false;
    }
    const last = known.get(topic);
    // A leader that is sure of its last bar goes on from it; any other continues from the
    // later of the bar stored in Redis (another generator may have moved the series on)
    // and its own, which stands in when Redis has lost everything.
    const previous = lease === 'renewed' && last?.current ? last : later(await storedBar(redis, topic), last);
    const now = slot * options.periodMs;
    const { bar, frames } = slotFrames(options, topic, previous, now);
    const outcome = await publishTick(redis, keys, owner, slot, frames);
    if (outcome !== 'published') {
      doubt();
      return false;
    }
    known.set(topic, { bar, ts: now, current: true });
    return true;
  } catch (error) {
    // The publish may or may not have happened: the stored bar decides next time.
    doubt();
    options.reportError(topic, error);
    return false;
  }
}

async function storedBar(redis: Redis, topic: string): Promise<KnownBar | undefined> {
  const text = await redis.get(topicRedisKeys(topic).lastFrame);
  const frame = text === null ? undefined : readUpdateFrame(text, topic);
  return frame && { bar: frame.bar, ts: frame.ts, current: false };
}

function later(a: KnownBar | undefined, b: KnownBar | undefined): KnownBar | undefined {
  if (!a || !b) return a ?? b;
  return b.ts > a.ts ? b : a;
}

/**
 * The frames of one slot of a topic: its bar at the slot's time, preceded, when a bar period
 * ended since the previous frame, by that bar at its period's last millisecond. So the last
 * update of every bar carries its historical close and the next bar opens on it, as the
 * standalone stream's `periodCloses` tick does, in the same atomic publish as the slot.
 */
function slotFrames(options: GeneratorOptions, topic: string, previous: KnownBar | undefined, now: number): { bar: Bar; frames: [string, ...string[]] } {
  const parsed = parseBarsTopicKey(topic);
  if (!parsed) throw new Error(`not a bars topic: ${topic}`);
  const generate = options.generate ?? mockLastBar;
  const context = { seed: options.seed, symbol: parsed.symbol, resolution: parsed.resolution };
  const closeAt = previous && closeBetween(parsed.resolution, previous.ts, now);
  if (closeAt === undefined) {
    const bar = generate(previous?.bar, now, context);
    return { bar, frames: [updateMessage('bars', topic, now, bar)] };
  }
  const closing = generate(previous?.bar, closeAt, context);
  const bar = generate(closing, now, context);
  return { bar, frames: [updateMessage('bars', topic, closeAt, closing), updateMessage('bars', topic, now, bar)] };
}
