import { describe, expect, it } from 'vitest';
import type { BroadcastEvent, BroadcastEventBody } from '../../src/streams/events.js';
import { initialMetricsState, metricsSnapshot, reduceMetrics, type MetricsSettings } from '../../src/streams/metrics.js';

const settings: MetricsSettings = {
  enabled: true,
  intervalSeconds: 1,
  symbols: ['AAPL'],
  resolutions: ['1'],
  configuredTopics: ['bars:AAPL:1', 'bars:MSFT:1'],
};

function fold(events: readonly [number, BroadcastEventBody][]) {
  const reduce = reduceMetrics(settings.configuredTopics);
  return events.reduce((state, [at, body]) => reduce(state, { ...body, at } as BroadcastEvent), initialMetricsState());
}

describe('metrics', () => {
  it('counts what happened and which topics are active', () => {
    const state = fold([
      [0, { type: 'broadcaster_started' }],
      [0, { type: 'client_joined' }],
      [0, { type: 'client_joined' }],
      [1, { type: 'client_left' }],
      [1, { type: 'subscription_added', topic: 'bars:AAPL:1' }],
      [1, { type: 'subscription_added', topic: 'bars:AAPL:1' }],
      [2, { type: 'subscription_removed', topic: 'bars:AAPL:1' }],
      [1, { type: 'topic_started', topic: 'bars:AAPL:1' }],
      [2, { type: 'topic_update', topic: 'bars:AAPL:1' }],
      [2, { type: 'broadcast_sent', topic: 'bars:AAPL:1', recipients: 3 }],
      [3, { type: 'topic_error', topic: 'bars:AAPL:1', error: new Error('x') }],
    ]);
    expect(metricsSnapshot(state, settings, 3)).toMatchObject({
      is_running: true,
      broadcasts_sent: 1,
      messages_sent: 3,
      updates_generated: 1,
      errors: 1,
      active_topics: 1,
      topics: ['bars:AAPL:1'],
      clients: 1,
      subscriptions: 1,
    });
  });

  it('counts the intervals a configured topic spent idle as skipped broadcasts, open spans included', () => {
    const state = fold([
      [0, { type: 'broadcaster_started' }],
      [2_000, { type: 'topic_started', topic: 'bars:AAPL:1' }],
      [3_000, { type: 'topic_stopped', topic: 'bars:AAPL:1' }],
      [3_500, { type: 'topic_started', topic: 'bars:OTHER:1' }],
    ]);
    // AAPL: idle 0-2 s, then again from 3 s; MSFT: idle from 0.
    expect(metricsSnapshot(state, settings, 5_000).broadcasts_skipped).toBe(2 + 2 + 5);
    const stopped = reduceMetrics(settings.configuredTopics)(state, { type: 'broadcaster_stopped', at: 6_000 });
    expect(metricsSnapshot(stopped, settings, 60_000)).toMatchObject({ is_running: false, broadcasts_skipped: 2 + 3 + 6 });
  });
});
