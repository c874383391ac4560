import { afterEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { fastClock } from '../support/fast-clock.js';
import { isUpdateOf, type ServerMessage, type TestApp, testApps, TestClient } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

/**
 * Issue 20, part 1, as it was seen from outside: a reader that subscribes to a topic ticking
 * every millisecond, stops reading for several bar closes (far past the point where the
 * outbox starts holding its updates, far short of the slow-consumer timeout), then reads
 * again. What it must get, within a real second: every bar that closed meanwhile, final and
 * equal to history, then the live stream, with at most the unread allowance of superseded
 * updates ahead of them. Before read confirmation, the kernel's send buffer (which Linux
 * grows to 4 MiB) held every update written while it was not reading, all of which it had
 * to get through first, and on a link that slow (or a TCP connection backing off its
 * retransmissions) it stalled.
 *
 * The server's clock runs 60 times faster than the wall clock (a one-minute bar closes every
 * real second); ticks of 1 ms and 1 s are of that clock.
 */
const SPEED = 60;
const MINUTE = 60_000;
const AAPL = 'bars:AAPL:1';
const UNREAD_SOFT_BYTES = 32 * 1024;
const isAapl = isUpdateOf(AAPL);

describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await apps.stopAll();
  });

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const barOf = (message: ServerMessage): Bar => message.payload as unknown as Bar;
  const bytesOf = (messages: readonly ServerMessage[]): number => messages.reduce((sum, message) => sum + JSON.stringify(message).length, 0);

  async function start(intervalSeconds: number, slowConsumerTimeoutMs: number): Promise<TestApp> {
    return apps.start({
      config: {
        broadcaster: { interval: intervalSeconds, resolutions: ['1', '1W'] },
        heartbeat: { intervalMs: 0 },
        limits: { bufferSoftBytes: 1024, unreadSoftBytes: UNREAD_SOFT_BYTES, slowConsumerTimeoutMs, messagesPerSecond: 1000 },
      },
      scheduler: fastClock(SPEED),
    });
  }

  async function history(app: TestApp, from: number, to: number): Promise<Bar[]> {
    const response = await fetch(`${app.httpUrl}/api/v1/bars?symbol=AAPL&resolution=1&from=${from}&to=${to}`);
    return ((await response.json()) as { bars: Bar[] }).bars;
  }

  describe.each([
    ['1 ms', 0.001],
    ['1 s', 1],
  ])('ticking every %s', (_label, intervalSeconds) => {
    it('gives a reader that stops reading across several bar closes every closed bar final, equal to history, then live, within a second of reading again', async () => {
      const app = await start(intervalSeconds, 60 * MINUTE);
      const client = await TestClient.connect(app.wsUrl);
      clients.push(client);
      client.subscribeBars('AAPL');
      await client.waitFor(isAapl);
      client.pauseReading();
      const pausedAt = barOf(client.messages.filter(isAapl).at(-1)!).time;
      // Three bar closes without reading (three real seconds).
      await sleep((3 * MINUTE) / SPEED);
      const from = client.messages.length;
      const readAgainAt = Date.now();
      client.resumeReading();

      // The bars that closed meanwhile, final, and a live update after the last of them.
      const lastMissed = pausedAt + 2 * MINUTE;
      const live = await client.waitFor((message) => isAapl(message) && barOf(message).time > lastMissed, { from, timeoutMs: 5_000 });
      expect(Date.now() - readAgainAt).toBeLessThan(1_000);
      const after = client.messages.slice(from);
      const finals = after.filter((message) => isAapl(message) && message.final === true).map(barOf);
      const closedMeanwhile = finals.filter((bar) => bar.time >= pausedAt && bar.time <= lastMissed);
      expect(closedMeanwhile.map((bar) => bar.time)).toEqual([pausedAt, pausedAt + MINUTE, pausedAt + 2 * MINUTE]);
      expect(closedMeanwhile).toEqual(await history(app, pausedAt, lastMissed + 1));

      // What arrived ahead of the first of them was at most the unread allowance (plus the
      // frames in flight when the outbox began to hold, and the probe's own slack).
      const firstFinal = after.findIndex((message) => isAapl(message) && message.final === true && barOf(message).time === pausedAt);
      expect(bytesOf(after.slice(0, firstFinal))).toBeLessThanOrEqual(UNREAD_SOFT_BYTES + 8 * 1024);
      expect(after.indexOf(live)).toBeGreaterThan(after.indexOf(after.find((message) => isAapl(message) && message.final === true && barOf(message).time === lastMissed)!));
    });

    it('closes a reader the server gives up on with 1013, which it reads as soon as it reads again (never silence)', async () => {
      const app = await start(intervalSeconds, MINUTE);
      const client = await TestClient.connect(app.wsUrl);
      clients.push(client);
      client.subscribeBars('AAPL');
      await client.waitFor(isAapl);
      client.pauseReading();
      // Well past the point where it lags, and past the slow-consumer timeout (a simulated minute) after it.
      await sleep((6 * MINUTE) / SPEED);
      const readAgainAt = Date.now();
      client.resumeReading();
      const { code } = await client.closed;
      expect(code).toBe(1013);
      expect(Date.now() - readAgainAt).toBeLessThan(1_000);
    });
  });
});
