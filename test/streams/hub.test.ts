import { EMPTY, interval, map, type Observable, ReplaySubject, Subject, takeUntil } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { openedTopic, testBarsKind } from '../support/bars-kind.js';
import type { Bar } from '../../src/domain/bar.js';
import { TopicRequestError } from '../../src/domain/errors.js';
import type { MockBarContext } from '../../src/domain/series-key.js';
import type { BarGenerator } from '../../src/streams/bar-stream.js';
import type { BroadcastEventBody } from '../../src/streams/events.js';
import { Hub } from '../../src/streams/hub.js';
import type { AnyTopicKind } from '../../src/streams/topic-kind.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const PERIOD = 10;

/** A generator whose bars are easy to write as marbles: time = clock, volume = ticks so far. */
function countingGenerator(calls: { symbol: string; now: number }[] = []): BarGenerator {
  return (previous: Bar | undefined, now: number, context: MockBarContext) => {
    calls.push({ symbol: context.symbol, now });
    return { time: 0, open: 1, high: 1, low: 1, close: 1, volume: (previous?.volume ?? 0) + 1 };
  };
}

function createHub(scheduler: TestScheduler, generate: BarGenerator, options: { enabled?: boolean } = {}) {
  const shutdown$ = new ReplaySubject<void>(1);
  const events: BroadcastEventBody[] = [];
  const hub = new Hub({
    scheduler,
    shutdown$,
    emit: (event) => events.push(event),
    enabled: options.enabled ?? true,
    retryBaseMs: 5,
  });
  hub.register(
    testBarsKind({ catalog: { symbols: ['AAPL', 'MSFT'], resolutions: ['1', '5'] }, seed: 1, periodMs: PERIOD, generate }),
  );
  return { hub, shutdown$, events };
}

const volumes = map((bar: Bar) => bar.volume);

describe('hub: one shared, refcounted stream per topic', () => {
  it('emits the current bar on subscribe, then ticks every interval while subscribed', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const { hub } = createHub(scheduler, countingGenerator());
      expectObservable(hub.bars$('AAPL', '1').pipe(volumes), '^ 34ms !').toBe('a 9ms b 9ms c 9ms d', { a: 1, b: 2, c: 3, d: 4 });
    });
  });

  it('shares one generator between two subscribers: one bar per tick, same values, the latest at once for a late one', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const calls: { symbol: string; now: number }[] = [];
    scheduler.run(({ expectObservable }) => {
      const { hub } = createHub(scheduler, countingGenerator(calls));
      expectObservable(hub.bars$('AAPL', '1').pipe(volumes), '^ 34ms !').toBe('a 9ms b 9ms c 9ms d', { a: 1, b: 2, c: 3, d: 4 });
      expectObservable(hub.bars$('AAPL', '1').pipe(volumes), '15ms ^ 19ms !').toBe('15ms b 4ms c 9ms d', { b: 2, c: 3, d: 4 });
    });
    expect(calls.map((call) => call.now)).toEqual([0, 10, 20, 30]);
  });

  it('always hands out the same stream for the same topic, with aliases normalised', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const { hub } = createHub(scheduler, countingGenerator());
    expect(hub.bars$('AAPL', '1')).toBe(hub.bars$('AAPL', '1'));
    expect(hub.bars$('AAPL', '5')).not.toBe(hub.bars$('AAPL', '1'));
  });

  it('stops the interval when the last subscriber leaves and restarts it on the next subscribe', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const calls: { symbol: string; now: number }[] = [];
    let events: BroadcastEventBody[] = [];
    scheduler.run(({ expectObservable }) => {
      const created = createHub(scheduler, countingGenerator(calls));
      events = created.events;
      const bars$ = created.hub.bars$('AAPL', '1').pipe(volumes);
      expectObservable(bars$, '^ 24ms !').toBe('a 9ms b 9ms c', { a: 1, b: 2, c: 3 });
      // restarted from scratch: a fresh interval and a fresh generator state, no stale replay
      expectObservable(bars$, '40ms ^ 24ms !').toBe('40ms a 9ms b 9ms c', { a: 1, b: 2, c: 3 });
    });
    expect(calls.map((call) => call.now)).toEqual([0, 10, 20, 40, 50, 60]);
    const lifecycle = events.filter((event) => event.type === 'topic_started' || event.type === 'topic_stopped');
    expect(lifecycle.map((event) => event.type)).toEqual(['topic_started', 'topic_stopped', 'topic_started', 'topic_stopped']);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('runs no timer for a topic nobody subscribes to', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const calls: { symbol: string; now: number }[] = [];
    scheduler.run(({ expectObservable }) => {
      const { hub } = createHub(scheduler, countingGenerator(calls));
      hub.bars$('MSFT', '1'); // asked for, never subscribed
      expectObservable(hub.bars$('AAPL', '1').pipe(volumes), '^ 14ms !').toBe('a 9ms b', { a: 1, b: 2 });
    });
    expect(calls.every((call) => call.symbol === 'AAPL')).toBe(true);
  });

  it('completes every topic on shutdown$, and a subscribe after shutdown completes at once', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const calls: { symbol: string; now: number }[] = [];
    scheduler.run(({ expectObservable, cold }) => {
      const { hub, shutdown$ } = createHub(scheduler, countingGenerator(calls));
      cold('25ms s').subscribe(() => shutdown$.next());
      expectObservable(hub.bars$('AAPL', '1').pipe(volumes)).toBe('a 9ms b 9ms c 4ms |', { a: 1, b: 2, c: 3 });
      expectObservable(hub.bars$('MSFT', '1').pipe(volumes)).toBe('a 9ms b 9ms c 4ms |', { a: 1, b: 2, c: 3 });
      expectObservable(hub.bars$('AAPL', '1'), '30ms ^').toBe('30ms |');
    });
    expect(calls).toHaveLength(6);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('a throwing generator in one topic leaves the others untouched, and the topic recovers on its next tick', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const failing: BarGenerator = (previous, now, context) => {
      if (context.symbol === 'AAPL' && now === 20) throw new Error('boom');
      return countingGenerator()(previous, now, context);
    };
    let events: BroadcastEventBody[] = [];
    scheduler.run(({ expectObservable }) => {
      const created = createHub(scheduler, failing);
      events = created.events;
      // AAPL skips the failed tick at 20 and carries on from its last good bar
      expectObservable(created.hub.bars$('AAPL', '1').pipe(volumes), '^ 34ms !').toBe('a 9ms b 19ms d', { a: 1, b: 2, d: 3 });
      expectObservable(created.hub.bars$('MSFT', '1').pipe(volumes), '^ 34ms !').toBe('a 9ms b 9ms c 9ms d', { a: 1, b: 2, c: 3, d: 4 });
    });
    expect(events.filter((event) => event.type === 'topic_error')).toEqual([
      { type: 'topic_error', topic: 'bars:AAPL:1', error: new Error('boom') },
    ]);
  });

  it('restarts a topic whose stream errors, with a backoff that doubles while it keeps failing', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const events: BroadcastEventBody[] = [];
      const hub = new Hub({ scheduler, shutdown$: new Subject(), emit: (event) => events.push(event), enabled: true, retryBaseMs: 5 });
      const failing = cold('-#');
      const flaky = cold('a-#');
      hub.register(sourceKind('failing', () => failing)).register(sourceKind('flaky', () => flaky));
      const failing$ = openStream(hub, 'failing');
      const flaky$ = openStream(hub, 'flaky');
      expectObservable(failing$, '^ 44ms !').toBe('');
      // fails at 1, back after 5 (6), fails at 7, back after 10 (17), fails at 18, back after 20 (38)
      expectSubscriptions(failing.subscriptions).toBe(['^!', '6ms ^!', '17ms ^!', '38ms ^!']);
      // a value in between resets the backoff: every restart waits the base delay again
      expectObservable(flaky$, '^ 25ms !').toBe('a------a------a------a', { a: 'a' });
    });
  });

  it('reports unknown symbols and unsupported resolutions as typed errors', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const { hub } = createHub(scheduler, countingGenerator());
      expectObservable(hub.bars$('TSLA', '1')).toBe(
        '#',
        undefined,
        new TopicRequestError({ code: 'UNKNOWN_SYMBOL', message: 'Unknown symbol TSLA; available: AAPL, MSFT' }),
      );
    });
    const { hub } = createHub(marbleScheduler(vitestEqual), countingGenerator());
    expect(hub.request('bars', { symbol: 'AAPL', resolution: '15' })).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_RESOLUTION' } });
    expect(hub.request('bars', { symbol: 'AAPL', resolution: '2' })).toMatchObject({ ok: false, error: { code: 'INVALID_RESOLUTION' } });
    expect(hub.request('nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
  });

  it('refuses every open with BROADCASTER_DISABLED when disabled', () => {
    const { hub } = createHub(marbleScheduler(vitestEqual), countingGenerator(), { enabled: false });
    expect(hub.request('bars', { symbol: 'AAPL' })).toMatchObject({ ok: false, error: { code: 'BROADCASTER_DISABLED' } });
  });

  it('lets a registered kind derive its stream from another topic, sharing its generator', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const calls: { symbol: string; now: number }[] = [];
    scheduler.run(({ expectObservable }) => {
      const bars = testBarsKind({ catalog: { symbols: ['AAPL'], resolutions: ['1'] }, seed: 1, periodMs: PERIOD, generate: countingGenerator(calls) });
      const hub = new Hub({ scheduler, shutdown$: new Subject(), emit: () => undefined, enabled: true });
      hub.register(bars).register({
        ...sourceKind('volume', () => EMPTY),
        create: (_params, context) => context.stream(bars, { symbol: 'AAPL', resolution: '1' }).pipe(map((bar) => bar.volume * 2)),
      });
      expectObservable(openStream(hub, 'volume'), '^ 24ms !').toBe('a 9ms b 9ms c', { a: 2, b: 4, c: 6 });
      expectObservable(hub.bars$('AAPL', '1').pipe(volumes), '^ 24ms !').toBe('a 9ms b 9ms c', { a: 1, b: 2, c: 3 });
    });
    expect(calls.map((call) => call.now)).toEqual([0, 10, 20]);
  });

  it('gives stream factories a context with the hub, the scheduler and shutdown$', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable, cold }) => {
      const shutdown$ = new ReplaySubject<void>(1);
      const hub = new Hub({ scheduler, shutdown$, emit: () => undefined, enabled: true });
      hub.register(
        testBarsKind({ catalog: { symbols: ['AAPL'], resolutions: ['1'] }, seed: 1, periodMs: PERIOD, generate: countingGenerator() }),
      );
      hub.register({
        ...sourceKind('clock', () => cold('')),
        create: (_params, context) => interval(PERIOD, context.scheduler).pipe(map(() => context.scheduler.now()), takeUntil(context.shutdown$)),
      });
      cold('25ms s').subscribe(() => shutdown$.next());
      expectObservable(openStream(hub, 'clock')).toBe('10ms a 9ms b 4ms |', { a: 10, b: 20 });
    });
  });

  it('lets new topic kinds register, and rejects duplicates and bad names', () => {
    const { hub } = createHub(marbleScheduler(vitestEqual), countingGenerator());
    const kind = sourceKind('echo', () => new Subject());
    hub.register(kind);
    expect(hub.kindNames()).toEqual(['bars', 'echo']);
    expect(() => hub.register(kind)).toThrow(/already registered/);
    expect(() => hub.register({ ...kind, name: 'Bad Name' })).toThrow(/Invalid topic kind name/);
  });
});

function sourceKind(name: string, create: () => Observable<unknown>): AnyTopicKind {
  return { name, parse: () => ({ ok: true, params: {} }), key: () => `${name}:x`, describe: () => ({}), create };
}

function openStream(hub: Hub, kind: string): Observable<unknown> {
  return openedTopic(hub, kind, {}).stream$;
}
