import { filter, firstValueFrom, takeUntil, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../support/app-events.js';
import { BIG_FRAME_SUBSCRIBE, BIG_FRAME_TOPIC, bigFrameTopic } from '../support/big-frame-topic.js';
import { isType, isUpdateOf, type ServerMessage, testApps, TestClient } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  afterEach(() => apps.stopAll());

  const FRAME_BYTES = 16 * 1024;
  const SOFT_BYTES = 64 * 1024;
  const limits = { bufferSoftBytes: SOFT_BYTES, bufferHardBytes: 64 * 1024 * 1024, slowConsumerTimeoutMs: 500, drainCheckMs: 10 };

  const seqOf = (message: ServerMessage): number => (message.payload as { seq: number }).seq;
  const isBlob = isUpdateOf(BIG_FRAME_TOPIC);

  describe('slow consumers', () => {
    it('conflates updates for a paused reader within bounded memory, closes it with 1013, and never holds back a fast reader', async () => {
      const { app, wsUrl } = await apps.start({ config: { limits }, topicKinds: [bigFrameTopic(4, FRAME_BYTES)] });
      const fast = await TestClient.connect(wsUrl);
      const slow = await TestClient.connect(wsUrl);
      for (const client of [fast, slow]) {
        client.send(BIG_FRAME_SUBSCRIBE);
        await client.waitFor(isType('blob.subscribe.response'));
      }
      const conflated = firstValueFrom(
        app.events$.pipe(
          filter((event) => event.type === 'update_conflated'),
          takeUntil(app.events$.pipe(filter((event) => event.type === 'slow_consumer_closed'))),
          toArray(),
        ),
      );
      const slowClosed = nextEvent(app.events$, 'slow_consumer_closed', 15_000);
      const slowLeft = nextEvent(app.events$, 'client_left', 15_000);
      slow.pauseReading();

      await slowClosed;
      const seen = await conflated;
      expect(seen.length).toBeGreaterThan(0);
      // Nothing more is written while a socket lags: its buffer never passes soft limit + one frame.
      const peak = Math.max(...seen.map((event) => (event.type === 'update_conflated' ? event.bufferedBytes : 0)));
      expect(peak).toBeLessThanOrEqual(SOFT_BYTES + FRAME_BYTES + 1024);

      // The fast reader got every update, in order, before and after the slow one was cut.
      const from = fast.messages.length;
      await fast.waitForCount(isBlob, 5, { from });
      const seqs = fast.messages.filter(isBlob).map(seqOf);
      expect(seqs).toEqual(seqs.map((_seq, index) => (seqs[0] ?? 0) + index));

      // The closed socket is released (its close handshake cannot complete, so it is cut).
      await slowLeft;
      expect(app.metrics()).toMatchObject({ slow_consumers_closed: 1, clients: 1, subscriptions: 1 });
      // Nothing is held for a socket once it is being closed.
      expect(app.metrics().updates_conflated).toBe(seen.length);
      slow.resumeReading();
      await slow.closed;
      await fast.close();
    });

    it('closes a slow consumer with 1013 (try again later), which the client sees once it reads again', async () => {
      const { app, wsUrl } = await apps.start({ config: { limits }, topicKinds: [bigFrameTopic(4, FRAME_BYTES)] });
      const slow = await TestClient.connect(wsUrl);
      slow.send(BIG_FRAME_SUBSCRIBE);
      await slow.waitFor(isType('blob.subscribe.response'));
      const slowClosed = nextEvent(app.events$, 'slow_consumer_closed', 15_000);
      slow.pauseReading();
      await slowClosed;
      // Reading again drains what the server queued, its close frame last, before it gives up on the handshake.
      slow.resumeReading();
      const { code } = await slow.closed;
      expect(code).toBe(1013);
    });
  });
});
