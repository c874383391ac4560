import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { BroadcastEventBody } from '../../../src/streams/events.js';
import { withFrame } from '../../../src/streams/framed-value.js';
import type { OpenedTopic } from '../../../src/streams/hub.js';
import { TopicFanout, type FrameSink } from '../../../src/transport/ws/topic-fanout.js';

function sink(): FrameSink & { frames: string[] } {
  const frames: string[] = [];
  return { frames, send: (frame) => frames.push(frame) };
}

function topic(stream$: Subject<unknown>): OpenedTopic {
  return { kind: 'bars', key: 'bars:AAPL:1', description: {}, stream$ };
}

describe('TopicFanout', () => {
  it('serializes a value once for all sinks, and forwards an already-serialized one as it came', () => {
    const events: BroadcastEventBody[] = [];
    const fanout = new TopicFanout((event) => events.push(event), () => 42);
    const stream$ = new Subject<unknown>();
    const [a, b] = [sink(), sink()];
    expect(fanout.join(topic(stream$), a)).toBe(true);
    expect(fanout.join(topic(stream$), b)).toBe(true);
    expect(fanout.join(topic(stream$), b)).toBe(false);

    stream$.next({ close: 1 });
    stream$.next(withFrame({ close: 2 }, 'the frame from redis'));
    expect(a.frames).toEqual(['{"type":"bars.update","topic":"bars:AAPL:1","ts":42,"payload":{"close":1}}', 'the frame from redis']);
    expect(b.frames).toEqual(a.frames);
    expect(events).toContainEqual({ type: 'broadcast_sent', topic: 'bars:AAPL:1', recipients: 2 });
  });

  it('unsubscribes the topic when the last sink leaves, and forgets a topic that errors', () => {
    const fanout = new TopicFanout(() => undefined, () => 0);
    const stream$ = new Subject<unknown>();
    const a = sink();
    fanout.join(topic(stream$), a);
    expect(fanout.leave('bars:AAPL:1', sink())).toBe(false);
    expect(fanout.leave('bars:AAPL:1', a)).toBe(true);
    expect(stream$.observed).toBe(false);

    fanout.join(topic(stream$), a);
    stream$.error(new Error('gone'));
    expect(fanout.leave('bars:AAPL:1', a)).toBe(false);
  });
});
