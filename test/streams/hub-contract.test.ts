import { EMPTY, Observable, ReplaySubject } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { openedTopic, testBarsKind } from '../support/bars-kind.js';
import { channelBarStream } from '../../src/engines/redis/channel-bar-stream.js';
import type { ChannelEvent } from '../../src/engines/redis/channel-subscriber.js';
import type { Bar } from '../../src/domain/bar.js';
import type { BroadcastEventBody } from '../../src/streams/events.js';
import { Hub } from '../../src/streams/hub.js';
import type { AnyTopicKind } from '../../src/streams/topic-kind.js';
import { updateFrame } from '../../src/domain/update.js';
import { barsTopicKey } from '../../src/domain/topic.js';
import { barsTopicKind } from '../../src/streams/bars-topic.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const PERIOD = 10;
const TOPIC = 'bars:AAPL:1';
const catalog = { symbols: ['AAPL'], resolutions: ['1' as const] };

/** The bar of the tick at `now`, the same whichever source produced it. */
const barAt = (now: number): Bar => ({ time: 0, open: 1, high: 1, low: 1, close: 1, volume: now });

type SourceFactory = (scheduler: TestScheduler, helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => AnyTopicKind;

/**
 * What the first subscriber sees until 35: the only place the sources differ. The local
 * interval reads the clock as it starts (the current bar at once); a channel without a
 * stored last frame has nothing to give before its first message.
 */
interface Source {
  readonly create: SourceFactory;
  readonly first: string;
}

/** Standalone: the local interval, with a generator whose bar depends on the clock only. */
const localInterval: SourceFactory = () =>
  testBarsKind({ catalog, seed: 1, periodMs: PERIOD, generate: (_previous: Bar | undefined, now: number) => barAt(now) });

/** Gateway: the topic's channel, faked by a hot observable publishing one frame per period. */
const fakeChannel: SourceFactory = (_scheduler, { hot }) => {
  // Slot n is published at frame n * PERIOD.
  const published$ = hot('10ms 1 9ms 2 9ms 3 9ms 4 9ms 5 9ms 6 9ms 7 9ms 8 9ms 9');
  const channels = {
    messages: (): Observable<ChannelEvent> =>
      new Observable<ChannelEvent>((subscriber) => {
        subscriber.next({ type: 'subscribed' });
        return published$.subscribe((slot) => {
          const now = Number(slot) * PERIOD;
          subscriber.next({ type: 'message', text: updateFrame('bars', TOPIC, { value: barAt(now), ts: now }) });
        });
      }),
  };
  return barsTopicKind({
    catalog,
    engine: { bars: (params, context) => channelBarStream({ topic: barsTopicKey(params.symbol, params.resolution), channels, lastFrame: () => EMPTY, reportError: context.reportError }) },
  });
};

/**
 * The hub's contract, whatever feeds a topic: one shared source per topic, started by the
 * first subscriber and stopped by the last, restarted by the next, and subscribers that
 * overlap see the very same values.
 */
function hubContract(source: Source): void {
  const scheduler = marbleScheduler(vitestEqual);
  const events: string[] = [];
  scheduler.run((helpers) => {
    const { expectObservable } = helpers;
    const emit = (event: BroadcastEventBody): void => {
      if (event.type === 'topic_started' || event.type === 'topic_stopped') events.push(`${scheduler.now()} ${event.type}`);
    };
    const hub = new Hub({ scheduler, shutdown$: new ReplaySubject<void>(1), emit, enabled: true });
    hub.register(source.create(scheduler, helpers));
    const bars$ = openedTopic(hub, 'bars', { symbol: 'AAPL' }).stream$;
    const values = { z: barAt(0), a: barAt(10), b: barAt(20), c: barAt(30), d: barAt(40), f: barAt(60), g: barAt(70), h: barAt(80) };

    expectObservable(bars$, '^ 35ms !').toBe(source.first, values);
    // a subscriber joining a running topic gets its latest value at once
    expectObservable(bars$, '15ms ^ 29ms !').toBe('15ms a 4ms b 9ms c 9ms d', values);
    // restarted: the local interval reads the clock at once, the channel carries on in its publisher's phase
    expectObservable(bars$, '60ms ^ 25ms !').toBe('60ms f 9ms g 9ms h', values);
  });
  expect(events).toEqual(['0 topic_started', '45 topic_stopped', '60 topic_started', '86 topic_stopped']);
}

describe('the hub contract, independent of where a topic comes from', () => {
  it('holds for the local interval (standalone)', () => hubContract({ create: localInterval, first: 'z 9ms a 9ms b 9ms c' }));
  it('holds for a Redis channel (gateway)', () => hubContract({ create: fakeChannel, first: '10ms a 9ms b 9ms c' }));
});
