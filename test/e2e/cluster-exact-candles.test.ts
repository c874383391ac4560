import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { updateFrame } from '../../src/domain/update.js';
import { topicRedisKeys } from '../../src/engines/redis/keys.js';
import { clockBeforeBoundary } from '../support/clock.js';
import { clusterOverrides, eventually, redisTestBed } from '../support/cluster.js';
import type { RedisServer } from '../support/redis-server.js';
import { SeriesRecorder } from '../support/series-recorder.js';
import type { TestClient } from '../../src/testing/index.js';
import { isUpdateOf, type ServerMessage, type TestApp } from '../../src/testing/index.js';

/** "Exact candles" behind Redis: finals survive what a channel can lose. */
const AAPL = 'bars:AAPL:1';
const MINUTE = 60_000;
const bed = redisTestBed();
const { apps } = bed;
let redisServer: RedisServer;
let redis: Redis;
beforeEach(() => {
  ({ server: redisServer, redis } = bed);
});

const connect = (app: TestApp): Promise<TestClient> => bed.connect(app.wsUrl);

const barOf = (message: ServerMessage): Bar => message.payload as unknown as Bar;

async function historyBar(app: TestApp, time: number): Promise<Bar | undefined> {
  const response = await fetch(`${app.httpUrl}/api/v1/bars?symbol=AAPL&resolution=1&from=${time}&to=${time + 1}`);
  return ((await response.json()) as { bars: Bar[] }).bars[0];
}

describe('exact candles behind Redis', () => {
  it("closes from history a bar whose closing publish the gateway never received", async () => {
    const gateway = await apps.start({ config: clusterOverrides('gateway', redisServer.url) });
    const client = await connect(gateway);
    client.subscribeBars('AAPL');
    const { channel } = topicRedisKeys(AAPL);
    await eventually(async () => (Number(((await redis.pubsub('NUMSUB', channel)) as unknown[])[1]) === 1 ? true : undefined), 'the gateway to SUBSCRIBE');

    // A generator's frames, with the bar's close (seq 2) lost on the way.
    const forming = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * MINUTE;
    const bar = (time: number): Bar => ({ time, open: 10, high: 11, low: 9, close: 10.5, volume: 3 });
    await redis.publish(channel, updateFrame('bars', AAPL, { value: bar(forming), ts: forming + 5_000, seq: 1, epoch: 'g1', final: false }));
    await redis.publish(channel, updateFrame('bars', AAPL, { value: bar(forming + MINUTE), ts: forming + MINUTE + 5, seq: 3, epoch: 'g1', final: false }));
    await client.waitFor((message) => isUpdateOf(AAPL)(message) && barOf(message).time === forming + MINUTE);

    const updates = client.messages.filter(isUpdateOf(AAPL));
    expect(updates.map((update) => [barOf(update).time - forming, update.final, update.replay ?? false])).toEqual([
      [0, false, false],
      [0, true, true],
      [MINUTE, false, false],
    ]);
    expect(barOf(updates[1]!)).toEqual(await historyBar(gateway, forming));
    expect(updates[1]).toMatchObject({ ts: forming + MINUTE - 1 });
  });

  it('keeps every final bar through a generator failover at a bar close', async () => {
    const intervalMs = 300;
    const { scheduler, boundary } = clockBeforeBoundary(3_000, MINUTE);
    const overrides = (role: 'gateway' | 'generator') => clusterOverrides(role, redisServer.url, intervalMs);
    const [front, gen1, gen2] = await Promise.all([
      apps.start({ config: overrides('gateway'), scheduler }),
      apps.start({ config: overrides('generator'), scheduler, clusterOwner: 'gen-1' }),
      apps.start({ config: overrides('generator'), scheduler, clusterOwner: 'gen-2' }),
    ]);
    const client = await connect(front);
    client.subscribeBars('AAPL');
    await client.waitForCount(isUpdateOf(AAPL), 2);

    // Kill the leader just before the close: its successor takes over only after it.
    await eventually(() => (scheduler.now() >= boundary - 350 ? true : undefined), 'the bar to be about to close', 6_000);
    const leader = await redis.get(topicRedisKeys(AAPL).lease);
    await (leader === 'gen-1' ? gen1 : gen2).app.stop();
    await client.waitForCount((message) => isUpdateOf(AAPL)(message) && barOf(message).time === boundary, 2, { timeoutMs: 6_000 });

    const recorder = new SeriesRecorder();
    for (const update of client.messages.filter(isUpdateOf(AAPL))) recorder.apply(update);
    const closing = recorder.series().find((entry) => entry.bar.time === boundary - MINUTE);
    expect(closing?.final).toBe(true);
    expect(closing?.bar).toEqual(await historyBar(front, boundary - MINUTE));
    expect(recorder.finalsSeen.get(boundary - MINUTE)).toBe(1);
    expect(recorder.afterFinal).toEqual([]);
  });
});

describe('exact candles behind Redis, over random faults (property)', () => {
  it('rebuilds the bars history shows across a bar close, whatever drops, pauses and generator restarts happen around it', async () => {
    const intervalMs = 200;
    const step = fc.oneof(
      fc.record({ kind: fc.constant('run' as const), ms: fc.integer({ min: 100, max: 600 }) }),
      fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 100, max: 800 }) }),
      fc.record({ kind: fc.constant('drop' as const), ms: fc.integer({ min: 100, max: 800 }) }),
      fc.record({ kind: fc.constant('restartGenerator' as const), ms: fc.integer({ min: 0, max: 300 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 4 }), async (steps) => {
        await redis.flushall();
        // A bar closes about a second into the schedule.
        const { scheduler, boundary } = clockBeforeBoundary(1_500, MINUTE);
        const overrides = (role: 'gateway' | 'generator') => clusterOverrides(role, redisServer.url, intervalMs);
        const front = await apps.start({ config: overrides('gateway'), scheduler });
        let generator = await apps.start({ config: overrides('generator'), scheduler });
        const recorder = new SeriesRecorder();
        const subscribe = async (): Promise<TestClient> => {
          const client = await connect(front);
          const since = recorder.resumeSince();
          client.send({ type: 'bars.subscribe', payload: { symbol: 'AAPL', ...(since === undefined ? {} : { since }) } });
          return client;
        };
        const drain = (client: TestClient): void => {
          for (const update of client.messages.filter(isUpdateOf(AAPL))) recorder.apply(update);
          client.messages.length = 0;
        };
        let client = await subscribe();
        await client.waitFor(isUpdateOf(AAPL));
        for (const { kind, ms } of steps) {
          if (kind === 'run') await sleep(ms);
          if (kind === 'pause') {
            client.pauseReading();
            await sleep(ms);
            client.resumeReading();
          }
          if (kind === 'drop') {
            drain(client);
            await client.close();
            await sleep(ms);
            client = await subscribe();
          }
          if (kind === 'restartGenerator') {
            await generator.app.stop();
            await sleep(ms);
            generator = await apps.start({ config: overrides('generator'), scheduler });
          }
        }
        await client.waitFor((message) => isUpdateOf(AAPL)(message) && barOf(message).time >= boundary, { timeoutMs: 8_000 });
        drain(client);
        await client.close();
        const series = recorder.series();
        const closed = series.filter((entry) => entry.final);
        expect(closed.map((entry) => entry.bar.time)).toContain(boundary - MINUTE);
        for (const entry of closed) expect(entry.bar).toEqual(await historyBar(front, entry.bar.time));
        expect(series.filter((entry) => entry.bar.time < boundary).every((entry) => entry.final)).toBe(true);
        expect(recorder.afterFinal).toEqual([]);
        await apps.stopAll();
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 120_000);
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
