import { filter, map, NEVER, type Observable, Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { openedTopic, testBarsKind } from '../support/bars-kind.js';
import type { Bar } from '../../src/domain/bar.js';
import { mockLastBar } from '../../src/domain/mock-bar.js';
import { quoteFromSessionBar } from '../../src/domain/quote.js';
import type { BarGenerator } from '../../src/streams/bar-stream.js';
import { BARS_TOPIC } from '../../src/streams/bars-topic.js';
import { createEventBus } from '../../src/streams/events.js';
import { Hub } from '../../src/streams/hub.js';
import { quotesTopicKind } from '../../src/streams/quotes-topic.js';
import { topicRef } from '../../src/streams/topic-kind.js';
import { marbleScheduler, mockSeries } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const SEED = 7;
const catalog = { symbols: ['AAPL', 'MSFT'], resolutions: ['1', '5'] as const };

/** A hub with the built-in kinds on a TestScheduler, counting every generator call. */
function composedHub(scheduler: TestScheduler, periodMs: number) {
  const bus = createEventBus(scheduler);
  const calls = { count: 0 };
  const generate: BarGenerator = (previous, now, context) => {
    calls.count += 1;
    return mockLastBar(previous, now, context);
  };
  const hub = new Hub({ scheduler, shutdown$: NEVER, emit: bus.emit, enabled: true });
  hub.register(testBarsKind({ catalog: { ...catalog, resolutions: [...catalog.resolutions] }, seed: SEED, periodMs, generate }));
  hub.register(quotesTopicKind(catalog));
  const started$ = bus.events$.pipe(
    filter((event) => event.type === 'topic_started'),
    map((event) => (event.type === 'topic_started' ? event.topic : '')),
  );
  return { hub, calls, started$ };
}

function openedStream(hub: Hub, kind: string, payload: unknown): Observable<unknown> {
  return openedTopic(hub, kind, payload).stream$;
}

/** The bars the mock generator makes for AAPL at 1 minute, ticking every `periodMs` from 0. */
function expectedMinuteBars(ticks: number, periodMs: number): Bar[] {
  return mockSeries({ seed: SEED, symbol: 'AAPL', resolution: '1', periodMs }).liveBars(ticks);
}

describe('derived topics', () => {
  it('runs one generator for quotes:AAPL and bars:AAPL:1 subscribed together', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const { hub, calls, started$ } = composedHub(scheduler, 10);
      const [b0, b1, b2, b3] = expectedMinuteBars(4, 10) as [Bar, Bar, Bar, Bar];
      const day = (bar: Bar, open: number): Bar => ({ ...bar, time: 0, open, high: Math.max(bar.high, open), low: Math.min(bar.low, open) });

      expectObservable(started$).toBe('a----b', { a: 'bars:AAPL:1', b: 'quotes:AAPL' });
      expectObservable(hub.bars$('AAPL', '1'), '^ 34ms !').toBe('a 9ms b 9ms c 9ms d', { a: b0, b: b1, c: b2, d: b3 });
      // quotes:AAPL joins at 5 ms: it gets the current bar at once, then the same ticks, from the generator already running
      const quotes$ = openedStream(hub, 'quotes', { symbols: ['AAPL'] });
      expectObservable(quotes$, '5ms ^ 29ms !').toBe('5ms a 4ms b 9ms c 9ms d', {
        a: quoteFromSessionBar('AAPL', day(b0, b0.open), b0.open),
        b: quoteFromSessionBar('AAPL', day(b1, b0.open), b0.open),
        c: quoteFromSessionBar('AAPL', day(b2, b0.open), b0.open),
        d: quoteFromSessionBar('AAPL', day(b3, b0.open), b0.open),
      });
      scheduler.flush();
      expect(calls.count).toBe(4);
    });
  });

  it('derives bars:AAPL:5 by resampling bars:AAPL:1 through the hub, so the two agree', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const periodMs = 20_000;
    const minuteBars: Bar[] = [];
    const fiveMinuteBars: Bar[] = [];
    const started: string[] = [];
    scheduler.run(() => {
      const { hub, calls, started$ } = composedHub(scheduler, periodMs);
      const subscriptions = new Subscription();
      subscriptions.add(started$.subscribe((topic) => started.push(topic)));
      // the coarse topic first: it starts the 1-minute topic it is derived from
      subscriptions.add(hub.bars$('AAPL', '5').subscribe((bar) => fiveMinuteBars.push(bar)));
      subscriptions.add(hub.bars$('AAPL', '1').subscribe((bar) => minuteBars.push(bar)));
      scheduler.schedule(() => subscriptions.unsubscribe(), 12 * 60_000 + 1);
      scheduler.flush();
      // the clock is read at 0, every 20 s up to 12 minutes, and at the last ms of each minute
      expect(calls.count).toBe(49);
    });
    expect(started).toEqual(['bars:AAPL:5', 'bars:AAPL:1']);
    expect(minuteBars).toEqual(expectedMinuteBars(49, periodMs));
    expect(fiveMinuteBars).toHaveLength(49);
    minuteBars.forEach((latest, index) => {
      const period = Math.floor(latest.time / 300_000) * 300_000;
      const closedOrLatest = [...new Map(minuteBars.slice(0, index + 1).filter((bar) => bar.time >= period).map((bar) => [bar.time, bar])).values()];
      expect(fiveMinuteBars[index]).toEqual({
        time: period,
        open: closedOrLatest[0]?.open,
        high: Math.max(...closedOrLatest.map((bar) => bar.high)),
        low: Math.min(...closedOrLatest.map((bar) => bar.low)),
        close: latest.close,
        volume: closedOrLatest.reduce((sum, bar) => sum + bar.volume, 0),
      });
    });
  });

  it('errors with UNKNOWN_TYPE when a factory asks for a kind nobody registered', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const { hub } = composedHub(scheduler, 10);
      expectObservable(hub.stream(topicRef<string, number>('candles'), 'x')).toBe(
        '#',
        undefined,
        expect.objectContaining({ code: 'UNKNOWN_TYPE' }) as unknown,
      );
    });
  });

  it('shares one stream per key between the registered kind and a reference to it', () => {
    const scheduler = marbleScheduler(vitestEqual);
    const { hub } = composedHub(scheduler, 10);
    expect(hub.stream(BARS_TOPIC, { symbol: 'AAPL', resolution: '1' })).toBe(hub.bars$('AAPL', '1'));
  });
});
