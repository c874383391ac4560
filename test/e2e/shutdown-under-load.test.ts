import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../support/app-events.js';
import { BIG_FRAME_SUBSCRIBE, BIG_FRAME_TOPIC, bigFrameTopic } from '../support/big-frame-topic.js';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';
import type { App } from '../../src/app.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  afterEach(() => apps.stopAll());

  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', recordUnhandled);
    return () => void process.off('unhandledRejection', recordUnhandled);
  });

  const blobTopic = bigFrameTopic(2, 16 * 1024);

  /** Rejects if `promise` has not settled within `ms`: a bound on a deadline, not a speed target. */
  function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  /** A client on the big-frame topic that has stopped reading, once the server holds and conflates its updates. */
  async function backedUpClient(app: App, wsUrl: string): Promise<TestClient> {
    const client = await TestClient.connect(wsUrl);
    client.send(BIG_FRAME_SUBSCRIBE);
    await client.waitFor(isUpdateOf(BIG_FRAME_TOPIC));
    const backedUpNow = nextEvent(app.events$, 'update_conflated', 15_000);
    client.pauseReading();
    await backedUpNow;
    return client;
  }

  describe('shutdown under load', () => {
    it('closes every client with 1001 within its deadline while some subscribe and one is backed up', async () => {
      const timeoutMs = 1_000;
      const { app, wsUrl } = await apps.start({ config: { shutdown: { timeoutMs }, broadcaster: { interval: 0.01 }, limits: { slowConsumerTimeoutMs: 60_000, messageBurst: 10_000 } }, topicKinds: [blobTopic] });
      const backedUp = await backedUpClient(app, wsUrl);

      const subscribers = await Promise.all(Array.from({ length: 8 }, () => TestClient.connect(wsUrl)));
      for (const client of subscribers) client.subscribeBars('AAPL');
      await Promise.all(subscribers.map((client) => client.waitFor(isType('bars.subscribe.response'))));
      // Mid-subscribe: these frames are in flight when stop() begins.
      for (const client of subscribers) for (const symbol of ['GOOGL', 'MSFT', 'AAPL']) client.subscribeBars(symbol);

      const stopped = app.stop();
      backedUp.resumeReading();
      await within(stopped, timeoutMs + 2_000, 'stop()');

      const codes = await Promise.all([backedUp, ...subscribers].map(async (client) => (await client.closed).code));
      expect(codes).toEqual(codes.map(() => 1001));
      expect(app.metrics()).toMatchObject({ clients: 0, subscriptions: 0, active_topics: 0, is_running: false });
      expect(unhandled).toEqual([]);
    });

    it('cuts a peer that never reads once the deadline passes', async () => {
      const timeoutMs = 300;
      const { app, wsUrl } = await apps.start({ config: { shutdown: { timeoutMs }, limits: { slowConsumerTimeoutMs: 60_000 } }, topicKinds: [blobTopic] });
      const stuck = await backedUpClient(app, wsUrl);
      await within(app.stop(), timeoutMs + 2_000, 'stop()');
      expect(app.metrics().clients).toBe(0);
      stuck.resumeReading();
      await stuck.closed;
      expect(unhandled).toEqual([]);
    });
  });
});
