import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { createTestHub, marbleScheduler, mockSeries, subscribedBetween } from '../../src/testing/index.js';
import { closeTopicKind } from '../fixtures/close-topic.js';

const vitestEqual = (actual: unknown, expected: unknown): void => {
  expect(actual).toEqual(expected);
};

describe('createTestHub: a hub on a TestScheduler with the built-in kinds and yours', () => {
  it('registers bars and quotes before the kinds passed in', () => {
    const testHub = createTestHub({ scheduler: marbleScheduler(vitestEqual), topicKinds: [closeTopicKind] });
    expect(testHub.hub.kindNames()).toEqual(['bars', 'quotes', 'close']);
  });

  it("logs a source topic's subscriptions: a derived topic subscribes bars:AAPL:1 once, however many subscribers it has", () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable, expectSubscriptions }) => {
      const testHub = createTestHub({ scheduler, periodMs: 10, topicKinds: [closeTopicKind] });
      const close$ = testHub.topic('close', { symbol: 'AAPL' }).stream$;
      const bars = mockSeries({ symbol: 'AAPL', periodMs: 10 }).liveBars(4);
      const closes = Object.fromEntries(bars.map((bar, index) => ['abcd'[index], { close: bar.close }]));
      expectObservable(close$, '^ 30ms !').toBe('a 9ms b 9ms c 9ms d', closes);
      expectObservable(close$, '5ms ^ 20ms !').toBe('5ms a 4ms b 9ms c', closes);
      // restarted after refcount zero: a second subscription of both
      expectObservable(close$, '50ms ^ 5ms !').toBe('50ms a', { a: { close: mockSeries({ symbol: 'AAPL', periodMs: 10 }).barAt(50).close } });
      expectSubscriptions(testHub.subscriptions('close:AAPL')).toBe(['^ 30ms !', subscribedBetween(50, 56)]);
      expectSubscriptions(testHub.subscriptions('bars:AAPL:1')).toBe(['^ 30ms !', '50ms ^ 5ms !']);
    });
  });

  it('records the hub events with their frames, and completes every topic at shutdownAt', () => {
    const scheduler = marbleScheduler(vitestEqual);
    let testHub: ReturnType<typeof createTestHub> | undefined;
    scheduler.run(({ expectObservable }) => {
      testHub = createTestHub({ scheduler, periodMs: 10, topicKinds: [closeTopicKind] });
      const close$ = testHub.topic('close', { symbol: 'MSFT' }).stream$.pipe(map(() => 'x'));
      testHub.shutdownAt(25);
      expectObservable(close$).toBe('x 9ms x 9ms x 4ms |');
      expectObservable(close$, '40ms ^').toBe('40ms |');
    });
    const lifecycle = testHub?.events.filter((event) => event.type !== 'topic_update').map((event) => `${event.frame} ${event.type} ${'topic' in event ? event.topic : ''}`);
    expect(lifecycle).toEqual(['0 topic_started close:MSFT', '0 topic_started bars:MSFT:1', '25 topic_stopped bars:MSFT:1', '25 topic_stopped close:MSFT']);
    expect(testHub?.startedKeys()).toEqual(['close:MSFT', 'bars:MSFT:1']);
  });

  it('answers requests as the transport asks them: refusals with their code, multi-topic requests per topic', () => {
    const testHub = createTestHub({ scheduler: marbleScheduler(vitestEqual), symbols: ['AAPL'] });
    expect(() => testHub.topic('bars', { symbol: 'NOPE' })).toThrow(/refused: UNKNOWN_SYMBOL/);
    expect(() => testHub.topic('quotes', { symbols: ['AAPL', 'MSFT'] })).toThrow(/names 2 topics, not one/);
    const requested = testHub.request('quotes', { symbols: ['AAPL', 'MSFT'] });
    expect(requested).toMatchObject({ ok: true, topics: [{ ok: true, topic: { key: 'quotes:AAPL' } }, { ok: false, error: { code: 'UNKNOWN_SYMBOL' }, key: 'quotes:MSFT' }] });
    expect(testHub.request('nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    expect(createTestHub({ scheduler: marbleScheduler(vitestEqual), enabled: false }).request('bars', { symbol: 'AAPL' })).toMatchObject({
      ok: false,
      error: { code: 'BROADCASTER_DISABLED' },
    });
  });

  it('lets a kind you pass replace a built-in one of its name', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const bars: TopicKind<{ symbol: string; resolution: '1' }, string> = {
        name: 'bars',
        parse: () => ({ ok: true, params: { symbol: 'AAPL', resolution: '1' } }),
        key: () => 'bars:AAPL:1',
        describe: () => ({}),
        create: () => cold('a-b-c|'),
      };
      const testHub = createTestHub({ scheduler, topicKinds: [bars] });
      expectObservable(testHub.topic('bars', {}).stream$).toBe('a-b-c|');
    });
  });
});
