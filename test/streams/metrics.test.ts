import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { BroadcastEvent } from '../../src/streams/events.js';
import { foldMetrics, initialMetricsState, metricsSnapshot, reduceMetrics, type MetricsSettings } from '../../src/streams/metrics.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const settings: MetricsSettings = {
  enabled: true,
  intervalSeconds: 0.01, // 10 ms, so marble frames read as intervals
  symbols: ['AAPL', 'MSFT'],
  resolutions: ['1'],
  configuredTopics: ['bars:AAPL:1', 'bars:MSFT:1'],
};

describe('metrics: a scan over broadcast events', () => {
  it('counts broadcasts, messages, errors, topics, clients and subscriptions', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable }) => {
      const events = cold<BroadcastEvent>('s-j-a-t-u-b-e-b-x-l', {
        s: { type: 'broadcaster_started', at: 0 },
        j: { type: 'client_joined', at: 2 },
        a: { type: 'subscription_added', topic: 'bars:AAPL:1', at: 4 },
        t: { type: 'topic_started', topic: 'bars:AAPL:1', at: 6 },
        u: { type: 'topic_update', topic: 'bars:AAPL:1', at: 8 },
        b: { type: 'broadcast_sent', topic: 'bars:AAPL:1', recipients: 3, at: 10 },
        e: { type: 'topic_error', topic: 'bars:AAPL:1', error: new Error('x'), at: 12 },
        x: { type: 'subscription_removed', topic: 'bars:AAPL:1', at: 16 },
        l: { type: 'client_left', at: 18 },
      });
      const counts = events.pipe(
        foldMetrics(settings.configuredTopics),
        map((state) => {
          const snapshot = metricsSnapshot(state, settings, 0);
          return `${snapshot.broadcasts_sent}/${snapshot.messages_sent}/${snapshot.errors}/${snapshot.active_topics}/${snapshot.clients}/${snapshot.subscriptions}/${snapshot.updates_generated}`;
        }),
      );
      expectObservable(counts).toBe('s-j-a-t-u-b-e-c-x-l', {
        s: '0/0/0/0/0/0/0',
        j: '0/0/0/0/1/0/0',
        a: '0/0/0/0/1/1/0',
        t: '0/0/0/1/1/1/0',
        u: '0/0/0/1/1/1/1',
        b: '1/3/0/1/1/1/1',
        e: '1/3/1/1/1/1/1',
        c: '2/6/1/1/1/1/1',
        x: '2/6/1/1/1/0/1',
        l: '2/6/1/1/0/0/1',
      });
    });
  });

  it('adds up published trades by outcome over publishes, and leaves commits to the histogram', () => {
    const reduce = reduceMetrics(settings.configuredTopics);
    const events: BroadcastEvent[] = [
      { type: 'trades_answered', outcomes: { accepted: 3, NEGATIVE_SIZE: 1 }, at: 1 },
      { type: 'trades_committed', trades: 3, durationMs: 2, at: 2 },
      { type: 'trades_answered', outcomes: { accepted: 1, duplicate: 2 }, at: 3 },
    ];
    const state = events.reduce(reduce, initialMetricsState());
    expect(state.tradeOutcomes).toEqual({ accepted: 4, duplicate: 2, NEGATIVE_SIZE: 1 });
    expect(reduce(state, { type: 'trades_committed', trades: 5, durationMs: 1, at: 4 })).toBe(state);
  });

  it('counts as skipped the whole intervals each configured topic spent idle, with no timer', () => {
    const reduce = reduceMetrics(settings.configuredTopics);
    const events: BroadcastEvent[] = [
      { type: 'broadcaster_started', at: 0 },
      { type: 'topic_started', topic: 'bars:AAPL:1', at: 25 }, // AAPL idle 0..25: 2 intervals
      { type: 'topic_stopped', topic: 'bars:AAPL:1', at: 40 },
      { type: 'topic_started', topic: 'bars:NOT:1', at: 40 }, // not configured: never counted
    ];
    const state = events.reduce(reduce, initialMetricsState());
    // at 100: AAPL idle 25 + 60 = 85 ms -> 8 intervals; MSFT idle 100 ms -> 10 intervals
    expect(metricsSnapshot(state, settings, 100).broadcasts_skipped).toBe(18);
    // reading is pure: the same state read later only adds the still-open idle spans
    expect(metricsSnapshot(state, settings, 200).broadcasts_skipped).toBe(38);
    expect(metricsSnapshot(state, settings, 100).active_topics).toBe(1);
  });

  it('freezes skipped counts and reports not running once the broadcaster stops', () => {
    const reduce = reduceMetrics(settings.configuredTopics);
    const state = [
      { type: 'broadcaster_started', at: 0 },
      { type: 'broadcaster_stopped', at: 50 },
    ].reduce((current, event) => reduce(current, event as BroadcastEvent), initialMetricsState());
    expect(metricsSnapshot(state, settings, 1_000)).toMatchObject({ is_running: false, broadcasts_skipped: 10 });
  });

  it('reports is_running false and skips nothing when disabled', () => {
    const state = reduceMetrics(settings.configuredTopics)(initialMetricsState(), { type: 'client_joined', at: 0 });
    expect(metricsSnapshot(state, { ...settings, enabled: false }, 1_000)).toMatchObject({
      is_running: false,
      broadcasts_skipped: 0,
      interval: 0.01,
      symbols: ['AAPL', 'MSFT'],
      resolutions: ['1'],
    });
  });

  it('counts no idle time for a topic already running when the broadcaster starts, nor after it stops', () => {
    const reduce = reduceMetrics(settings.configuredTopics);
    const events: BroadcastEvent[] = [
      { type: 'topic_started', topic: 'bars:AAPL:1', at: 0 },
      { type: 'broadcaster_started', at: 0 },
      { type: 'broadcaster_stopped', at: 100 },
      { type: 'topic_stopped', topic: 'bars:AAPL:1', at: 100 },
    ];
    const state = events.reduce(reduce, initialMetricsState());
    // only MSFT was idle: 100 ms = 10 intervals; AAPL contributes nothing, before or after stop
    expect(metricsSnapshot(state, settings, 500).broadcasts_skipped).toBe(10);
  });
});
