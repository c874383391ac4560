import { EMPTY, map, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { channelBarStream } from '../../../src/engines/redis/channel-bar-stream.js';
import type { ChannelEvent } from '../../../src/engines/redis/channel-subscriber.js';
import { topicRedisKeys } from '../../../src/engines/redis/keys.js';
import type { Bar } from '../../../src/domain/bar.js';
import { updateFrame } from '../../../src/domain/update.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const TOPIC = 'bars:AAPL:1';
const bar = (volume: number): Bar => ({ time: 0, open: 1, high: 2, low: 1, close: 2, volume });
const frame = (ts: number): string => updateFrame('bars', TOPIC, { value: bar(ts), ts });
const values = map((update: { readonly value: Bar }) => update.value);
const subscribed: ChannelEvent = { type: 'subscribed' };
const message = (ts: number): ChannelEvent => ({ type: 'message', text: frame(ts) });

describe('channelBarStream', () => {
  it('starts with the stored bar, then the channel, never going back in time', () => {
    marbleScheduler(vitestEqual).run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      // S: subscribed (again after a reconnect); the second read of the stored bar (5) is stale.
      const channel = hot('^S-a-b--S-c-', { S: subscribed, a: message(6), b: message(7), c: message(8) });
      const stored = cold('-x|', { x: frame(5) });
      const bars$ = channelBarStream({
        topic: TOPIC,
        channels: { messages: () => channel },
        lastFrame: () => stored,
        reportError: () => undefined,
      });
      expectObservable(bars$.pipe(values)).toBe('--ya-b----c-', { y: bar(5), a: bar(6), b: bar(7), c: bar(8) });
      expectSubscriptions(channel.subscriptions).toBe('^');
    });
  });

  it('asks the channel of its own topic and carries each frame exactly as received', () => {
    const asked: string[] = [];
    const received: { value: Bar; frame: string }[] = [];
    channelBarStream({
      topic: TOPIC,
      channels: {
        messages: (channel) => {
          asked.push(channel);
          return of(message(6));
        },
      },
      lastFrame: () => EMPTY,
      reportError: () => undefined,
    }).subscribe((value) => received.push(value));
    expect(asked).toEqual([topicRedisKeys(TOPIC).channel]);
    expect(received.map((update) => update.value)).toEqual([bar(6)]);
    expect(received[0]?.frame).toBe(frame(6));
  });

  it('reports and skips malformed frames and a failing read of the stored bar', () => {
    const errors: unknown[] = [];
    marbleScheduler(vitestEqual).run(({ hot, expectObservable }) => {
      const events: Record<string, ChannelEvent> = {
        S: subscribed,
        m: { type: 'message', text: 'not json' },
        w: { type: 'message', text: updateFrame('bars', 'bars:MSFT:1', { value: bar(1), ts: 1 }) },
        a: message(6),
      };
      const channel = hot('^S-m-w-a-', events);
      const bars$ = channelBarStream({
        topic: TOPIC,
        channels: { messages: () => channel },
        lastFrame: () => throwError(() => new Error('redis down')),
        reportError: (error) => errors.push(error),
      });
      expectObservable(bars$.pipe(values)).toBe('-------a-', { a: bar(6) });
    });
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'redis down',
      expect.stringContaining('malformed frame on the channel of bars:AAPL:1: not json'),
      expect.stringContaining('malformed frame'),
    ]);
  });
});
