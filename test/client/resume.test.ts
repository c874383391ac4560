import fc from 'fast-check';
import { throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { connect, type BarcastClient, type ConnectOptions } from '../../src/client/connect.js';
import type { HistoryRequest } from '../../src/client/rest-history.js';
import type { TopicState } from '../../src/client/topic-state.js';
import type { Bar } from '../../src/domain/bar.js';
import { TopicRequestError } from '../../src/domain/errors.js';
import { FakeBarcastServer, finalBar, formingBar, PERIOD_MS, type ResumeMode } from '../support/fake-barcast-server.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

/*
 * The client's resume logic in virtual time: a fake server on fake sockets (the real rxjs
 * webSocket drives them), a market of 1-minute bars whose history is `finalBar(i)`.
 */

const END_MS = 400_000;

interface Run {
  readonly server: FakeBarcastServer;
  readonly bars: { readonly at: number; readonly bar: Bar }[];
  readonly states: TopicState[];
  error?: unknown;
}

/**
 * Subscribes AAPL 1 at 10 s (mid bar 0), cuts the network at `dropAt` for `downMs`, and
 * records what the client emits until END_MS.
 */
function runScenario(setup: (server: FakeBarcastServer) => void, options: Partial<ConnectOptions> = {}, dropAt = 70_000, downMs = 3 * PERIOD_MS, subscribeAt = 10_000): Run {
  return runOutages(setup, options, [{ at: dropAt, forMs: downMs }], END_MS, subscribeAt);
}

interface Outage {
  readonly at: number;
  readonly forMs: number;
}

function runOutages(setup: (server: FakeBarcastServer) => void, options: Partial<ConnectOptions>, outages: readonly Outage[], endMs: number, subscribeAt = 10_000): Run {
  const scheduler = marbleScheduler(vitestEqual);
  let run: Run | undefined;
  scheduler.run(() => {
    const server = new FakeBarcastServer(scheduler, endMs);
    setup(server);
    const recorded: Run = { server, bars: [], states: [] };
    run = recorded;
    const client = connect('ws://barcast.test/api/v1/ws', {
      WebSocketCtor: server.WebSocketCtor,
      scheduler,
      backoff: { baseMs: 1_000, maxMs: 1_000, jitter: 0 },
      loadHistory: (request) => server.history(request),
      ...options,
    });
    client.state$('AAPL').subscribe((state) => recorded.states.push(state));
    scheduler.schedule(() => {
      client.bars$('AAPL', '1').subscribe({ next: (bar) => recorded.bars.push({ at: scheduler.now(), bar }), error: (error) => (recorded.error = error) });
    }, subscribeAt);
    for (const outage of outages) {
      scheduler.schedule(() => {
        server.reachable = false;
        server.dropAll();
      }, outage.at);
      scheduler.schedule(() => (server.reachable = true), outage.at + outage.forMs);
    }
    scheduler.schedule(() => client.close(), endMs + 1);
  });
  if (!run) throw new Error('scenario did not run');
  return run;
}

/** The series a chart builds from the emissions: a bar replaces the one with its time. */
function seriesOf(emitted: readonly { bar: Bar }[]): Bar[] {
  const series = new Map<number, Bar>();
  for (const { bar } of emitted) series.set(bar.time, bar);
  return [...series.values()];
}

/** Bars 0..5 closed by END_MS; bar 6 is forming, 40 s in. */
const EXPECTED = [0, 1, 2, 3, 4, 5].map(finalBar).concat(formingBar(6, 40_000));

function expectExactSeries(run: Run, firstBar = 0): void {
  const times = run.bars.map(({ bar }) => bar.time);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(seriesOf(run.bars)).toEqual(EXPECTED.slice(firstBar));
  // No final bar handed out twice, no update of a bar after its final one.
  for (let index = firstBar; index <= 5; index += 1) {
    const ofBar = run.bars.filter(({ bar }) => bar.time === index * PERIOD_MS);
    expect(ofBar.filter(({ bar }) => bar.volume === finalBar(index).volume)).toHaveLength(1);
    expect(ofBar.at(-1)?.bar).toEqual(finalBar(index));
  }
  expect(run.error).toBeUndefined();
}

const phases = (states: readonly TopicState[]): string[] => states.map((state) => state.phase).filter((phase, index, all) => phase !== all[index - 1]);
const subscribes = (server: FakeBarcastServer) => server.received.filter(({ message }) => message['type'] === 'bars.subscribe');

describe('the client resumes after a disconnect of three bar periods', () => {
  it('ends with exactly the history, no duplicate, no stale bar, when the server replays', () => {
    const run = runScenario(() => undefined);
    expectExactSeries(run);
    const [first, again] = subscribes(run.server);
    expect(first?.message).toEqual({ type: 'bars.subscribe', id: 1, payload: { symbol: 'AAPL', params: { resolution: '1' } } });
    // Back at 250 s (the next retry within a second): the last final bar held is bar 0.
    const back = again?.at ?? 0;
    expect(back).toBeGreaterThan(250_000);
    expect(back).toBeLessThan(251_100);
    expect(again?.message).toEqual({ type: 'bars.subscribe', id: expect.any(Number), payload: { symbol: 'AAPL', params: { resolution: '1' }, since: 0 } });
    // Bars 1-3 are replayed; bar 1 was forming when the connection dropped and now has its final values.
    expect(run.bars.filter(({ at }) => at === back).map(({ bar }) => bar)).toEqual([finalBar(1), finalBar(2), finalBar(3), formingBar(4, back - 4 * PERIOD_MS)]);
    expect(phases(run.states)).toEqual(['idle', 'subscribing', 'live', 'resuming', 'live', 'idle']);
    expect(run.states.at(-2)).toMatchObject({ reloads: 0, lost: 0 });
  });

  it('reloads the gap from history when the server cannot replay it, and says so', () => {
    const run = runScenario((server) => (server.resumeMode = 'cannot-recover'));
    expectExactSeries(run);
    // The history request covers bars after since and before the first live bar.
    const back = subscribes(run.server)[1]?.at ?? 0;
    expect(run.bars.filter(({ at }) => at === back + 5).map(({ bar }) => bar)).toEqual([finalBar(1), finalBar(2), finalBar(3), formingBar(4, back - 4 * PERIOD_MS)]);
    expect(phases(run.states)).toEqual(['idle', 'subscribing', 'live', 'resuming', 'reloading', 'live', 'idle']);
    expect(run.states.at(-2)).toMatchObject({ phase: 'live', reloads: 1, lost: 0 });
  });

  it('stays exact with a server that knows neither ids nor since (answers in order, no recovered, no finals)', () => {
    // Subscribed in bar 1 and dropped in bar 2: with no final ever seen, since is bar 0.
    const run = runScenario(
      (server) => {
        server.resumeMode = 'old-server';
        server.echoIds = false;
      },
      {},
      130_000,
      3 * PERIOD_MS,
      70_000,
    );
    expect(subscribes(run.server)[1]?.message['payload']).toMatchObject({ since: 0 });
    expectExactSeries(run, 1);
    expect(run.states.at(-2)).toMatchObject({ reloads: 1 });
  });

  it('reloads a long gap in requests the server accepts, oldest first, and reports one past its limit', () => {
    const asked: HistoryRequest[] = [];
    let server: FakeBarcastServer | undefined;
    const run = runScenario(
      (fake) => {
        server = fake;
        fake.resumeMode = 'cannot-recover';
      },
      {
        historyChunkBars: 2,
        loadHistory: (request) => {
          asked.push(request);
          return server?.history(request) ?? [];
        },
      },
    );
    expectExactSeries(run);
    expect(asked.map(({ from, to }) => [from, to])).toEqual([
      [1 * PERIOD_MS, 3 * PERIOD_MS],
      [3 * PERIOD_MS, 4 * PERIOD_MS],
    ]);
    const limited = runScenario((fake) => (fake.resumeMode = 'cannot-recover'), { maxReloadBars: 2 });
    expect(limited.states.at(-2)).toMatchObject({ reloads: 0, lost: 1, hole: { after: 0, before: 4 * PERIOD_MS } });
  });

  it('reports a hole it could not fill and carries on live', () => {
    const run = runScenario((server) => (server.resumeMode = 'cannot-recover'), { loadHistory: () => throwError(() => new Error('RANGE_TOO_LARGE')) });
    expect(run.states.at(-2)).toMatchObject({ phase: 'live', reloads: 0, lost: 1, hole: { after: 0, before: 4 * PERIOD_MS } });
    const times = seriesOf(run.bars).map((bar) => bar.time);
    expect(times).toEqual([0, 1, 4, 5, 6].map((index) => index * PERIOD_MS));
  });

  it('repairs a bar whose final update the server lost, from history, before the next bar', () => {
    const run = runOutages((server) => [2, 3].forEach((index) => server.losesFinalOf.add(index)), {}, [], END_MS);
    expectExactSeries(run);
    expect(run.states.at(-2)).toMatchObject({ phase: 'live', reloads: 0, repairs: 2, lost: 0 });
    // Bar 2 comes from history 5 ms after bar 3 started, and before any of bar 3.
    const around = run.bars.filter(({ at }) => at >= 3 * PERIOD_MS && at <= 3 * PERIOD_MS + 5).map(({ at, bar }) => [at, bar.time]);
    expect(around).toEqual([[3 * PERIOD_MS + 5, 2 * PERIOD_MS], [3 * PERIOD_MS + 5, 3 * PERIOD_MS]]);
  });

  it('resumes a bar it never saw close: since is the bar before the first one held', () => {
    // Subscribed at 70 s (bar 1), dropped at 100 s, before bar 1 closed: since = bar 0.
    const run = runScenario(() => undefined, {}, 100_000, 3 * PERIOD_MS, 70_000);
    expect(subscribes(run.server)[1]?.message['payload']).toMatchObject({ since: 0 });
    const series = seriesOf(run.bars);
    expect(series).toEqual(EXPECTED.slice(1));
    expect(run.error).toBeUndefined();
  });
});

describe('the client under random fault schedules (property)', () => {
  const FAULT_END_MS = 1_200_000;
  /** Outages as (gap before, length) pairs laid end to end, all over a minute before the end. */
  const outages = fc
    .array(fc.record({ gap: fc.integer({ min: 1, max: 200_000 }), forMs: fc.integer({ min: 1, max: 5 * PERIOD_MS }) }), { maxLength: 5 })
    .map((pairs) => {
      let clock = 70_000;
      return pairs.map(({ gap, forMs }) => {
        clock += gap + forMs;
        return { at: clock - forMs, forMs };
      });
    })
    .filter((laid) => (laid.at(-1)?.at ?? 0) + (laid.at(-1)?.forMs ?? 0) < FAULT_END_MS - 2 * PERIOD_MS);

  it('reconstructs exactly the history, whatever the drops, lost finals, resume answers and ids', () => {
    fc.assert(
      fc.property(outages, fc.constantFrom<ResumeMode>('replay', 'cannot-recover', 'old-server'), fc.boolean(), fc.subarray([2, 5, 8, 11, 14, 17]), (laid, mode, echoIds, lostFinals) => {
        const run = runOutages(
          (server) => {
            server.resumeMode = mode;
            server.echoIds = echoIds;
            // An old server marks no finals, so it cannot be told to have lost one.
            if (mode !== 'old-server') for (const index of lostFinals) server.losesFinalOf.add(index);
          },
          {},
          laid,
          FAULT_END_MS,
          70_000,
        );
        // Subscribed at 70 s: bar 1 is the first held (the fake market starts at the epoch, and
        // a since before it is refused, as the real server does).
        const newest = Math.floor(FAULT_END_MS / PERIOD_MS);
        const expected = Array.from({ length: newest - 1 }, (_, index) => finalBar(index + 1)).concat(formingBar(newest, FAULT_END_MS - newest * PERIOD_MS));
        expect(seriesOf(run.bars)).toEqual(expected);
        const times = run.bars.map(({ bar }) => bar.time);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(run.states.at(-2)).toMatchObject({ phase: 'live', lost: 0 });
      }),
      { numRuns: 40 },
    );
  });
});

describe('the client on one connection', () => {
  function withClient(body: (client: BarcastClient, server: FakeBarcastServer, at: (ms: number, work: () => void) => void) => void, options: Partial<ConnectOptions> = {}): FakeBarcastServer {
    const scheduler = marbleScheduler(vitestEqual);
    let used: FakeBarcastServer | undefined;
    scheduler.run(() => {
      const server = new FakeBarcastServer(scheduler, 200_000);
      used = server;
      const client = connect('ws://barcast.test/api/v1/ws', { WebSocketCtor: server.WebSocketCtor, scheduler, backoff: { baseMs: 1_000, jitter: 0 }, ...options });
      body(client, server, (ms, work) => scheduler.schedule(work, ms));
      scheduler.schedule(() => client.close(), 200_001);
    });
    if (!used) throw new Error('did not run');
    return used;
  }

  it('starts from the since it is given, so history and live meet without a gap', () => {
    const bars: Bar[] = [];
    const server = withClient((client, _server, at) => at(130_000, () => client.bars$('aapl', '1', { since: 0 }).subscribe((bar) => bars.push(bar))));
    expect(subscribes(server)[0]?.message['payload']).toEqual({ symbol: 'AAPL', params: { resolution: '1' }, since: 0 });
    expect(bars.slice(0, 2)).toEqual([finalBar(1), formingBar(2, 10_000)]);
  });

  it('errors a refused topic with its code, matched by id, and keeps the others', () => {
    let refused: unknown;
    const good: Bar[] = [];
    withClient((client, _server, at) =>
      at(10_000, () => {
        client.bars$('NOPE').subscribe({ error: (error) => (refused = error) });
        client.bars$('AAPL').subscribe((bar) => good.push(bar));
      }),
    );
    expect(refused).toBeInstanceOf(TopicRequestError);
    expect(refused).toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    expect(good.length).toBeGreaterThan(5);
  });

  it('asks again later when a subscribe is rate limited', () => {
    const bars: Bar[] = [];
    const server = withClient(
      (client, server, at) => {
        server.refuseNext = 'RATE_LIMITED';
        at(10_000, () => client.bars$('AAPL').subscribe((bar) => bars.push(bar)));
      },
    );
    expect(subscribes(server).map(({ at }) => at)).toEqual([10_000, 11_000]);
    expect(bars[0]).toEqual(formingBar(0, 11_000));
  });

  it('presents its token as a subprotocol, refreshes it in-band on auth.expiring, and reconnects with a fresh one', () => {
    let issued = 0;
    const server = withClient(
      (client, server, at) => {
        at(10_000, () => client.bars$('AAPL').subscribe());
        at(50_000, () => server.sockets.at(-1)?.push({ type: 'auth.expiring', payload: { expiresAt: 60_000 } }));
        at(70_000, () => server.dropAll());
      },
      { token: () => `token-${++issued}` },
    );
    expect(server.sockets.map((socket) => socket.protocols)).toEqual([
      ['barcast.v1', 'barcast.bearer.token-1'],
      ['barcast.v1', 'barcast.bearer.token-3'],
    ]);
    expect(server.received.filter(({ message }) => message['type'] === 'auth.refresh')).toEqual([
      { at: 50_000, message: { type: 'auth.refresh', id: expect.any(Number), payload: { token: 'token-2' } } },
    ]);
  });

  it('offers no subprotocol without a token, and never refreshes a static one', () => {
    const server = withClient((client, server, at) => {
      at(10_000, () => client.bars$('AAPL').subscribe());
      at(50_000, () => server.sockets.at(-1)?.push({ type: 'auth.expiring', payload: { expiresAt: 60_000 } }));
    });
    expect(server.sockets[0]?.protocols).toEqual([]);
    const statics = withClient((client, server, at) => {
      at(10_000, () => client.bars$('AAPL').subscribe());
      at(50_000, () => server.sockets.at(-1)?.push({ type: 'auth.expiring', payload: {} }));
    }, { token: 'static' });
    expect(statics.sockets[0]?.protocols).toEqual(['barcast.v1', 'barcast.bearer.static']);
    expect(statics.received.some(({ message }) => message['type'] === 'auth.refresh')).toBe(false);
  });

  it('streams quotes of a symbol, and errors a refused one with the code of its topic result', () => {
    const quotes: unknown[] = [];
    let refused: unknown;
    const server = withClient((client, _server, at) =>
      at(10_000, () => {
        const aapl = client.quotes$('aapl').subscribe((quote) => quotes.push(quote));
        client.quotes$('NOPE').subscribe({ error: (error) => (refused = error) });
        at(11_000, () => aapl.unsubscribe());
      }),
    );
    expect(quotes).toEqual([{ s: 'ok', n: 'AAPL', v: expect.objectContaining({ lp: 100 }) }]);
    expect(refused).toMatchObject({ code: 'UNKNOWN_SYMBOL', message: 'Unknown symbol NOPE' });
    expect(server.received.map(({ message }) => message['type'])).toEqual(['quotes.subscribe', 'quotes.subscribe', 'quotes.unsubscribe']);
  });

  it('reports stale and live from bars.status', () => {
    const states: TopicState[] = [];
    withClient((client, server, at) => {
      client.state$('AAPL').subscribe((state) => states.push(state));
      at(10_000, () => client.bars$('AAPL').subscribe());
      at(20_500, () => server.sockets[0]?.push({ type: 'bars.status', topic: 'bars:AAPL:1', payload: { status: 'stale' } }));
      at(30_500, () => server.sockets[0]?.push({ type: 'bars.status', topic: 'bars:AAPL:1', payload: { status: 'live' } }));
    });
    expect(states.map((state) => state.stale).filter((stale, index, all) => stale !== all[index - 1])).toEqual([false, true, false]);
  });

  it('unsubscribes when the last subscriber leaves, and completes every topic when closed', () => {
    let completed = 0;
    const server = withClient((client, _server, at) => {
      at(10_000, () => {
        const first = client.bars$('AAPL').subscribe();
        const second = client.bars$('AAPL', '1').subscribe();
        at(20_000, () => {
          first.unsubscribe();
          second.unsubscribe();
        });
        client.bars$('MSFT').subscribe({ complete: () => (completed += 1) });
        client.quotes$('MSFT').subscribe({ complete: () => (completed += 1) });
      });
    });
    const types = server.received.map(({ message }) => `${String(message['type'])} ${String((message['payload'] as { symbol?: string }).symbol ?? '')}`);
    expect(types.filter((type) => type.endsWith('AAPL'))).toEqual(['bars.subscribe AAPL', 'bars.unsubscribe AAPL']);
    expect(completed).toBe(2);
  });
});
