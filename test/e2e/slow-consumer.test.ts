import { filter, firstValueFrom, interval, map, timeout, toArray, takeUntil, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BroadcastEvent } from '../../src/streams/events.js';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { appTracker } from '../support/test-app.js';
import { isType, isUpdateOf, TestClient, type ServerMessage } from '../support/ws-client.js';

const apps = appTracker();
afterEach(() => apps.stopAll());

/** A topic of big, fast frames, so a paused reader backs the server's buffers up quickly. */
const FRAME_FILLER = 'x'.repeat(16 * 1024);
const blobTopic: TopicKind<Record<string, never>, { seq: number; data: string }> = {
  name: 'blob',
  parse: () => ({ ok: true, params: {} }),
  key: () => 'blob:all',
  describe: () => ({}),
  create: (_params, context) => interval(4, context.scheduler).pipe(map((seq) => ({ seq, data: FRAME_FILLER }))),
};

const SOFT_BYTES = 64 * 1024;
const limits = { bufferSoftBytes: SOFT_BYTES, bufferHardBytes: 64 * 1024 * 1024, slowConsumerTimeoutMs: 500, drainCheckMs: 10 };

const seqOf = (message: ServerMessage): number => (message.payload as { seq: number }).seq;
const isBlob = isUpdateOf('blob:all');

function firstEvent(events$: Observable<BroadcastEvent>, type: BroadcastEvent['type'], timeoutMs: number): Promise<BroadcastEvent> {
  return firstValueFrom(events$.pipe(filter((event) => event.type === type), timeout(timeoutMs)));
}

describe('slow consumers', () => {
  it('conflates updates for a paused reader within bounded memory, closes it with 1013, and never holds back a fast reader', async () => {
    const { app, wsUrl } = await apps.start({ limits }, { topicKinds: [blobTopic] });
    const fast = await TestClient.connect(wsUrl);
    const slow = await TestClient.connect(wsUrl);
    for (const client of [fast, slow]) {
      client.send({ type: 'blob.subscribe', payload: {} });
      await client.waitFor(isType('blob.subscribe.response'));
    }
    const conflations = app.events$.pipe(
      filter((event) => event.type === 'update_conflated'),
      takeUntil(app.events$.pipe(filter((event) => event.type === 'slow_consumer_closed'))),
      toArray(),
    );
    const conflated = firstValueFrom(conflations);
    const slowLeft = firstEvent(app.events$, 'client_left', 15_000);
    slow.pauseReading();

    await firstEvent(app.events$, 'slow_consumer_closed', 15_000);
    const seen = await conflated;
    expect(seen.length).toBeGreaterThan(0);
    // Nothing more is written while a socket lags: its buffer never passes soft limit + one frame.
    const peak = Math.max(...seen.map((event) => (event.type === 'update_conflated' ? event.bufferedBytes : 0)));
    expect(peak).toBeLessThanOrEqual(SOFT_BYTES + FRAME_FILLER.length + 1024);

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
    expect((await slow.closed).code).toBeGreaterThanOrEqual(1006);
    await fast.close();
  });
});
