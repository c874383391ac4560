import type { Redis } from 'ioredis';
import { asyncScheduler, Subject, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import { readBarsUpdateFrame, type TopicUpdate } from '../../../src/domain/update.js';
import { generatorLoop } from '../../../src/engines/redis/generator.js';
import { topicRedisKeys } from '../../../src/engines/redis/keys.js';
import { singleRedisGeneratorLink, type GeneratorLink } from '../../../src/engines/redis/redis-link.js';
import { eventually, recordChannel, useRedisServer } from '../../support/cluster.js';
import { memoryLogger } from '../../support/memory-logger.js';

const AAPL = 'bars:AAPL:1';
// Long enough that a loaded machine does not let a lease lapse between two renewals.
const PERIOD = 200;
const local = useRedisServer();
let redis: Redis;
let running: Subscription | undefined;
const links: GeneratorLink[] = [];

beforeEach(async () => {
  redis = local.redis;
  await redis.flushall();
});
afterEach(() => {
  running?.unsubscribe();
  for (const link of links.splice(0)) link.close();
});

/** A generator on its own connection whose topic stream is a subject the test drives. */
function startGenerator(owner: string, subscribed: string[] = []) {
  const link = singleRedisGeneratorLink({ redisUrl: local.server.url, reconnectMaxMs: 100, logger: memoryLogger().logger });
  links.push(link);
  const updates = new Subject<TopicUpdate<Bar>>();
  const errors: unknown[] = [];
  const leadership: string[] = [];
  running = generatorLoop({
    link,
    topics: [AAPL, 'bars:MSFT:1'],
    periodMs: PERIOD,
    leaseIntervals: 1.5,
    owner,
    scheduler: asyncScheduler,
    updates: (topic) => {
      subscribed.push(topic);
      return updates;
    },
    reportError: (_topic, error) => errors.push(error),
    onLeadership: (topic, leading) => leadership.push(`${leading ? 'leads' : 'left'} ${topic}`),
  }).subscribe();
  return { updates, errors, leadership, subscribed };
}

const bar: Bar = { time: 60_000, open: 1, high: 2, low: 1, close: 2, volume: 3 };

describe('generatorLoop', () => {
  it('leads only demanded topics, publishes each update as its numbered frame, and lets go once nobody listens', async () => {
    const generator = startGenerator('gen-1');
    const gateway = await recordChannel(local.server.url, topicRedisKeys(AAPL).channel);
    await eventually(() => (generator.leadership.includes(`leads ${AAPL}`) ? true : undefined), 'the generator to take the lease');
    expect(generator.subscribed).toEqual([AAPL]); // MSFT is not demanded: not computed

    generator.updates.next({ value: bar, ts: 61_000, seq: 1, epoch: 'e1', final: false });
    generator.updates.next({ value: bar, ts: 119_999, seq: 2, epoch: 'e1', final: true });
    await eventually(() => (gateway.frames.length === 2 ? true : undefined), 'two frames');
    const frames = gateway.frames.map((text) => readBarsUpdateFrame(text, AAPL));
    expect(frames.map((frame) => [frame?.seq, frame?.epoch, frame?.final, frame?.ts])).toEqual([
      [1, 'e1', false, 61_000],
      [2, 'e1', true, 119_999],
    ]);
    expect(await redis.get(topicRedisKeys(AAPL).lastFrame)).toBe(gateway.frames[1]);

    gateway.close();
    await eventually(() => (generator.leadership.includes(`left ${AAPL}`) ? true : undefined), 'the generator to let the topic go');
    expect(generator.errors).toEqual([]);
  });

  it('neither computes nor publishes a topic whose lease another generator holds', async () => {
    await redis.set(topicRedisKeys(AAPL).lease, 'gen-other', 'PX', 60_000);
    const gateway = await recordChannel(local.server.url, topicRedisKeys(AAPL).channel);
    const generator = startGenerator('gen-1');
    await new Promise((resolve) => setTimeout(resolve, 4 * PERIOD));
    expect(generator.subscribed).toEqual([]);
    expect(generator.leadership).toEqual([]);
    gateway.close();
  });
});
