import type { Redis } from 'ioredis';
import { beforeEach, describe, expect, it } from 'vitest';
import { demandedTopics } from '../../../src/engines/redis/demand.js';
import { topicRedisKeys } from '../../../src/engines/redis/keys.js';
import { renewOrAcquireLease } from '../../../src/engines/redis/lease.js';
import { publishUpdate } from '../../../src/engines/redis/publish-update.js';
import { eventually, recordChannel, useRedisServer } from '../../support/cluster.js';

const TOPIC = 'bars:AAPL:1';
const keys = topicRedisKeys(TOPIC);
const local = useRedisServer();
let redis: Redis;
beforeEach(async () => {
  redis = local.redis;
  await redis.flushall();
});

describe('topic lease', () => {
  it("lasts as long on Redis's clock as on the process's, however far apart the two clocks are", async () => {
    const processNow = Date.now() + 45_000; // a clock 45 s ahead of Redis's
    expect(await renewOrAcquireLease(redis, keys.lease, 'gen-1', processNow + 2_000, processNow)).toBe('acquired');
    const remaining = await redis.pttl(keys.lease);
    expect(remaining).toBeGreaterThan(1_800);
    expect(remaining).toBeLessThanOrEqual(2_000);
  });

  it('is taken by one generator until a set time, renewed only by its holder, and taken over once it lapses', async () => {
    const until = Date.now() + 60_000;
    expect(await renewOrAcquireLease(redis, keys.lease, 'gen-1', until)).toBe('acquired');
    // Within the few ms the commands take: the lease is sent as what is left of it.
    expect(Math.abs((await redis.pexpiretime(keys.lease)) - until)).toBeLessThan(100);
    expect(await renewOrAcquireLease(redis, keys.lease, 'gen-2', until + 1_000)).toBe('held_by_other');
    expect(Math.abs((await redis.pexpiretime(keys.lease)) - until)).toBeLessThan(100);
    expect(await renewOrAcquireLease(redis, keys.lease, 'gen-1', until + 1_000)).toBe('renewed');
    expect(Math.abs((await redis.pexpiretime(keys.lease)) - until - 1_000)).toBeLessThan(100);

    await redis.del(keys.lease); // as if it had lapsed
    expect(await renewOrAcquireLease(redis, keys.lease, 'gen-2', until)).toBe('acquired');
    // The former holder neither renews nor steals it back.
    expect(await renewOrAcquireLease(redis, keys.lease, 'gen-1', until)).toBe('held_by_other');
    expect(await redis.get(keys.lease)).toBe('gen-2');
  });
});

describe('publishUpdate', () => {
  it('publishes an update once, only for the lease holder, in order, and stores the last one', async () => {
    const recorder = await recordChannel(local.server.url, keys.channel);
    await renewOrAcquireLease(redis, keys.lease, 'gen-1', Date.now() + 60_000);

    expect(await publishUpdate(redis, keys, 'gen-2', 7, 'frame-7-by-gen-2')).toBe('not_leader');
    expect(await publishUpdate(redis, keys, 'gen-1', 7, 'frame-7')).toBe('published');
    expect(await publishUpdate(redis, keys, 'gen-1', 7, 'frame-7-again')).toBe('already_published');
    expect(await publishUpdate(redis, keys, 'gen-1', 6, 'frame-6-late')).toBe('already_published');
    expect(await publishUpdate(redis, keys, 'gen-1', 8, 'frame-8')).toBe('published');
    expect(await publishUpdate(redis, keys, 'gen-1', 8.999, 'close-8')).toBe('published');
    expect(await publishUpdate(redis, keys, 'gen-1', 9, 'frame-9')).toBe('published');
    expect(await publishUpdate(redis, keys, 'gen-1', 9, 'frame-9-again')).toBe('already_published');

    expect(await redis.get(keys.lastFrame)).toBe('frame-9');
    expect(await redis.get(keys.lastTs)).toBe('9');
    await eventually(() => (recorder.frames.length >= 4 ? true : undefined), 'four published frames');
    await redis.publish(keys.channel, 'marker'); // anything published twice would arrive before it
    await eventually(() => (recorder.frames.includes('marker') ? true : undefined), 'the marker');
    recorder.close();
    expect(recorder.frames).toEqual(['frame-7', 'frame-8', 'close-8', 'frame-9', 'marker']);
  });
});

describe('demandedTopics', () => {
  it('lists the topics whose channel has a subscriber anywhere', async () => {
    const topics = ['bars:AAPL:1', 'bars:MSFT:1', 'bars:GOOGL:1'];
    expect(await demandedTopics(redis, topics)).toEqual([]);
    const recorder = await recordChannel(local.server.url, topicRedisKeys('bars:MSFT:1').channel);
    expect(await demandedTopics(redis, topics)).toEqual(['bars:MSFT:1']);
    recorder.close();
    expect(await demandedTopics(redis, [])).toEqual([]);
  });
});
