import fc from 'fast-check';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { BIG_FRAME_SUBSCRIBE, bigFrameTopic } from '../support/big-frame-topic.js';
import { fastClock } from '../support/fast-clock.js';
import { SeriesRecorder } from '../support/series-recorder.js';
import { isType, isUpdateOf, type ServerMessage, type TestApp, type TestAppOptions, testApps, TestClient } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

/**
 * "Exact candles through every fault" (docs/websockets.md), end to end on the real server.
 * The server's clock runs 60 times faster than the wall clock, so a one-minute bar closes
 * every real second and a test sees several close.
 */
const SPEED = 60;
const MINUTE = 60_000;
const AAPL = 'bars:AAPL:1';
// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await apps.stopAll();
  });

  const realMs = (simulatedMs: number): number => simulatedMs / SPEED;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const barOf = (message: ServerMessage): Bar => message.payload as unknown as Bar;

  async function startFastApp(overrides: Record<string, unknown> = {}, dependencies: Omit<TestAppOptions, 'config'> = {}): Promise<TestApp> {
    return apps.start({
      config: {
          broadcaster: { interval: 1 },
          // Pings would come every half real second and find a paused reader dead; not what these test.
          heartbeat: { intervalMs: 0 },
          limits: { slowConsumerTimeoutMs: 30 * MINUTE, bufferHardBytes: 256 * 1024 * 1024 },
          ...overrides,
      },
      scheduler: fastClock(SPEED),
      ...dependencies,
    });
  }

  async function connect(app: TestApp): Promise<TestClient> {
    const client = await TestClient.connect(app.wsUrl);
    clients.push(client);
    return client;
  }

  async function history(app: TestApp, from: number, to: number): Promise<Bar[]> {
    const response = await fetch(`${app.httpUrl}/api/v1/bars?symbol=AAPL&resolution=1&from=${from}&to=${to}`);
    return ((await response.json()) as { bars: Bar[] }).bars;
  }

  /** Every bar of `recorder` from its second bar on (the first started before the subscription) equals history, each final once. */
  async function expectExactSeries(app: TestApp, recorder: SeriesRecorder): Promise<void> {
    const series = recorder.series();
    const closed = series.filter((entry) => entry.final).map((entry) => entry.bar);
    expect(closed.length).toBeGreaterThanOrEqual(2);
    const [first] = closed;
    const last = closed.at(-1)!;
    const expected = await history(app, first!.time, last.time + 1);
    expect(closed.map((bar) => (bar.time / MINUTE) % 1000)).toEqual(expected.map((bar) => (bar.time / MINUTE) % 1000));
    expect(closed).toEqual(expected);
    // Nothing forming before the last final bar, nothing after a final, each final once.
    expect(series.slice(0, series.findIndex((entry) => entry.bar.time === last.time)).every((entry) => entry.final)).toBe(true);
    expect(recorder.afterFinal).toEqual([]);
    expect([...recorder.finalsSeen.values()].every((count) => count === 1)).toBe(true);
  }

  describe('exact candles, standalone', () => {
    it("keeps every closed bar's final values for a reader that stops reading across several bar closes", async () => {
      const app = await startFastApp({ limits: { bufferSoftBytes: 64 * 1024, slowConsumerTimeoutMs: 30 * MINUTE, drainCheckMs: 200 } }, {
        // Big frames every simulated 200 ms fill a paused reader's buffers within a real second.
        topicKinds: [bigFrameTopic(200, 16 * 1024)],
      });
      const client = await connect(app);
      const recorder = new SeriesRecorder();
      client.send(BIG_FRAME_SUBSCRIBE);
      client.subscribeBars('AAPL');
      await client.waitFor(isUpdateOf(AAPL));
      const conflated = firstValueFrom(app.app.events$.pipe(filter((event) => event.type === 'update_conflated' && event.topic === AAPL)));

      client.pauseReading();
      await conflated; // the outbox is conflating this client's bars now
      // At most the bar the server was on: what the client had read when it stopped reading.
      const pausedAt = barOf(client.messages.filter(isUpdateOf(AAPL)).at(-1)!).time;
      await sleep(realMs(4 * MINUTE));
      client.resumeReading();
      client.send({ type: 'blob.unsubscribe', payload: {} });
      await client.waitFor(isType('blob.unsubscribe.response'), { timeoutMs: 20_000 });
      // Four bars closed while it was not reading; two more live after it reads again.
      await client.waitFor((message) => isUpdateOf(AAPL)(message) && barOf(message).time >= pausedAt + 6 * MINUTE, { timeoutMs: 10_000 });

      const updates = client.messages.filter(isUpdateOf(AAPL));
      for (const update of updates) recorder.apply(update);
      expect(app.app.metrics().updates_conflated).toBeGreaterThan(0);
      expect(recorder.series().filter((entry) => entry.final).length).toBeGreaterThanOrEqual(5);
      await expectExactSeries(app, recorder);
    });

    it('gives a client that was away for three bar periods exactly the bars it missed, then live', async () => {
      const app = await startFastApp();
      const recorder = new SeriesRecorder();
      const first = await connect(app);
      first.subscribeBars('AAPL');
      const closing = await first.waitFor((message) => isUpdateOf(AAPL)(message) && message.final === true, { timeoutMs: 5_000 });
      await first.waitFor((message) => isUpdateOf(AAPL)(message) && barOf(message).time > barOf(closing).time);
      for (const update of first.messages.filter(isUpdateOf(AAPL))) recorder.apply(update);
      await first.close();
      const since = recorder.resumeSince()!;
      const staleBar = recorder.series().at(-1)!;
      expect(staleBar.final).toBe(false); // the bar forming when the connection dropped

      await sleep(realMs(3.5 * MINUTE));
      const again = await connect(app);
      again.send({ type: 'bars.subscribe', id: 1, payload: { symbol: 'AAPL', since } });
      const response = await again.waitFor(isType('bars.subscribe.response'));
      expect(response).toMatchObject({ id: 1, payload: { status: 'ok', recovered: true } });
      expect(Number(response.payload?.['replayed'])).toBeGreaterThanOrEqual(3);
      const live = await again.waitFor((message) => isUpdateOf(AAPL)(message) && !message.replay);
      await again.waitFor((message) => isUpdateOf(AAPL)(message) && barOf(message).time > barOf(live).time, { timeoutMs: 5_000 });
      for (const update of again.messages.filter(isUpdateOf(AAPL))) recorder.apply(update);

      // The stale forming bar was replaced by its final; no hole, no duplicate, no stale bar.
      expect(recorder.series().find((entry) => entry.bar.time === staleBar.bar.time)?.final).toBe(true);
      await expectExactSeries(app, recorder);
    });

    it('answers a resume it cannot serve with recovered: false and replays nothing', async () => {
      const app = await startFastApp({ history: { maxBars: 10 } });
      const client = await connect(app);
      const since = Math.floor(Date.now() / MINUTE) * MINUTE - 100 * MINUTE;
      client.send({ type: 'bars.subscribe', payload: { symbol: 'AAPL', since } });
      const response = await client.waitFor(isType('bars.subscribe.response'));
      expect(response.payload).toMatchObject({ status: 'ok', recovered: false });
      const update = await client.waitFor(isUpdateOf(AAPL));
      expect(update.replay).toBeUndefined();
    });

    it('refuses a since that is not a time', async () => {
      const app = await startFastApp();
      const client = await connect(app);
      client.send({ type: 'bars.subscribe', id: 'x', payload: { symbol: 'AAPL', since: 'yesterday' } });
      const error = await client.waitFor(isType('error'));
      expect(error).toMatchObject({ id: 'x', payload: { code: 'INVALID_PAYLOAD' } });
    });

    it('rebuilds the history exactly over random schedules of slow reading, drops and reconnects (property)', async () => {
      const app = await startFastApp({ limits: { bufferSoftBytes: 16 * 1024, slowConsumerTimeoutMs: 30 * MINUTE, drainCheckMs: 100 } }, {
        topicKinds: [bigFrameTopic(500, 8 * 1024)],
      });
      const fault = fc.oneof(
        fc.record({ kind: fc.constant('pause' as const), minutes: fc.double({ min: 0.3, max: 2.5, noNaN: true }) }),
        fc.record({ kind: fc.constant('drop' as const), minutes: fc.double({ min: 0.3, max: 3, noNaN: true }) }),
        fc.record({ kind: fc.constant('run' as const), minutes: fc.double({ min: 0.2, max: 1.5, noNaN: true }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fault, { minLength: 2, maxLength: 4 }), async (faults) => {
          const recorder = new SeriesRecorder();
          let client = await resumingClient(app, recorder);
          for (const step of faults) {
            if (step.kind === 'run') await sleep(realMs(step.minutes * MINUTE));
            if (step.kind === 'pause') {
              client.pauseReading();
              await sleep(realMs(step.minutes * MINUTE));
              client.resumeReading();
            }
            if (step.kind === 'drop') {
              drain(client, recorder);
              await client.close();
              await sleep(realMs(step.minutes * MINUTE));
              client = await resumingClient(app, recorder);
            }
          }
          const last = client.messages.filter(isUpdateOf(AAPL)).at(-1);
          const until = (last ? barOf(last).time : 0) + 2 * MINUTE;
          await client.waitFor((message) => isUpdateOf(AAPL)(message) && barOf(message).time >= until, { timeoutMs: 15_000 });
          drain(client, recorder);
          await client.close();
          await expectExactSeries(app, recorder);
        }),
        { numRuns: 4, endOnFailure: true },
      );
    }, 120_000);
  });

  /** A client that (re)subscribes AAPL resuming from what `recorder` holds, with blobs to make its buffers back up when paused. */
  async function resumingClient(app: TestApp, recorder: SeriesRecorder): Promise<TestClient> {
    const client = await connect(app);
    const since = recorder.resumeSince();
    client.send(BIG_FRAME_SUBSCRIBE);
    client.send({ type: 'bars.subscribe', payload: { symbol: 'AAPL', ...(since === undefined ? {} : { since }) } });
    const response = await client.waitFor(isType('bars.subscribe.response'));
    if (since !== undefined) expect(response.payload).toMatchObject({ recovered: true });
    return client;
  }

  /** Applies what `client` received to `recorder`, once. */
  function drain(client: TestClient, recorder: SeriesRecorder): void {
    for (const update of client.messages.filter(isUpdateOf(AAPL))) recorder.apply(update);
    client.messages.length = 0;
  }
});
