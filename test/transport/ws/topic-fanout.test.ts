import { map, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { BroadcastEventBody } from '../../../src/streams/events.js';
import type { SerializedUpdate, TopicUpdate } from '../../../src/domain/update.js';
import type { OpenedTopic } from '../../../src/streams/hub.js';
import type { PreparedFrame } from '../../../src/transport/ws/prepared-frame.js';
import { TopicFanout, type FrameSink } from '../../../src/transport/ws/topic-fanout.js';

/** A sink that records what reaches it, in order, reading the payload back out of the frame bytes. */
class RecordingSink implements FrameSink {
  readonly log: string[] = [];
  readonly frames: PreparedFrame[] = [];
  constructor(readonly subscriptionCount: number) {}
  send(frame: PreparedFrame, topic: string, _update: TopicUpdate<unknown>): void {
    this.frames.push(frame);
    this.log.push(`${topic} ${frame.framed.subarray(frame.framed.length - Buffer.byteLength(frame.text)).toString()}`);
  }
  cork(): void {
    this.log.push('cork');
  }
  sendStatus(frame: string): void {
    this.log.push(`status ${frame}`);
  }
  uncork(): void {
    this.log.push('uncork');
  }
}

/** A topic fed by a subject of plain values (stamped at the fan-out's clock, 7) or of serialized updates. */
function topic(key: string, stream$: Subject<unknown>): OpenedTopic {
  const asUpdate = (value: unknown): TopicUpdate<unknown> =>
    typeof value === 'object' && value !== null && 'frame' in value ? (value as SerializedUpdate<unknown>) : { value, ts: 7 };
  return { kind: 'bars', key, description: {}, live: true, stream$, updates$: stream$.pipe(map(asUpdate)) };
}

function fanoutWithManualTicks(events: BroadcastEventBody[] = []): { fanout: TopicFanout; endTick: () => void } {
  const pending: (() => void)[] = [];
  const fanout = new TopicFanout((event) => events.push(event), () => 7, (flush) => pending.push(flush));
  return { fanout, endTick: () => pending.splice(0).forEach((flush) => flush()) };
}

const update = (key: string, value: unknown): string => JSON.stringify({ type: 'bars.update', topic: key, ts: 7, payload: value });

describe('TopicFanout', () => {
  it('writes one frame, serialized and framed once, to every sink of the topic', () => {
    const events: BroadcastEventBody[] = [];
    const { fanout } = fanoutWithManualTicks(events);
    const aapl = new Subject<unknown>();
    const [first, second] = [new RecordingSink(1), new RecordingSink(1)];
    fanout.join(topic('bars:AAPL:1', aapl), first);
    fanout.join(topic('bars:AAPL:1', aapl), second);
    aapl.next({ close: 1 });
    expect(first.log).toEqual([`bars:AAPL:1 ${update('bars:AAPL:1', { close: 1 })}`]);
    expect(second.log).toEqual(first.log);
    expect(second.frames[0]).toBe(first.frames[0]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'broadcast_sent', topic: 'bars:AAPL:1', recipients: 2 }));
  });

  it('samples one recipient send buffer per broadcast, in rotation, and stamps the event time', () => {
    const events: BroadcastEventBody[] = [];
    const { fanout } = fanoutWithManualTicks(events);
    const aapl = new Subject<unknown>();
    const sinks = [10, 20, 30].map((bytes) => Object.assign(new RecordingSink(1), { bufferedBytes: bytes }));
    for (const sink of sinks) fanout.join(topic('bars:AAPL:1', aapl), sink);
    for (let tick = 0; tick < 4; tick++) aapl.next({ close: tick });
    const sent = events.filter((event) => event.type === 'broadcast_sent');
    expect(sent.map((event) => event.sampledBufferedBytes)).toEqual([10, 20, 30, 10]);
    expect(sent.every((event) => event.eventTime === 7)).toBe(true);
  });

  it('forwards an already-serialized value (from Redis) byte for byte', () => {
    const { fanout } = fanoutWithManualTicks();
    const aapl = new Subject<unknown>();
    const sink = new RecordingSink(1);
    fanout.join(topic('bars:AAPL:1', aapl), sink);
    aapl.next({ value: { close: 2 }, ts: 7, frame: 'the frame from redis' } satisfies SerializedUpdate<unknown>);
    expect(sink.log).toEqual(['bars:AAPL:1 the frame from redis']);
  });

  it('sends a sink joining a running topic its latest frame at once', () => {
    const { fanout } = fanoutWithManualTicks();
    const aapl = new Subject<unknown>();
    const [first, late] = [new RecordingSink(1), new RecordingSink(1)];
    fanout.join(topic('bars:AAPL:1', aapl), first);
    aapl.next({ close: 1 });
    fanout.join(topic('bars:AAPL:1', aapl), late);
    expect(late.frames).toEqual(first.frames);
  });

  it('holds the writes of a sink on several topics until the tick ends, then releases them once', () => {
    const { fanout, endTick } = fanoutWithManualTicks();
    const [one, five] = [new Subject<unknown>(), new Subject<unknown>()];
    const sink = new RecordingSink(2);
    fanout.join(topic('bars:AAPL:1', one), sink);
    fanout.join(topic('bars:AAPL:5', five), sink);
    one.next(1);
    five.next(5);
    expect(sink.log).toEqual(['cork', `bars:AAPL:1 ${update('bars:AAPL:1', 1)}`, `bars:AAPL:5 ${update('bars:AAPL:5', 5)}`]);
    endTick();
    expect(sink.log.at(-1)).toBe('uncork');
    one.next(2);
    expect(sink.log.slice(4)).toEqual(['cork', `bars:AAPL:1 ${update('bars:AAPL:1', 2)}`]);
  });

  it('never corks a sink on one topic', () => {
    const { fanout, endTick } = fanoutWithManualTicks();
    const aapl = new Subject<unknown>();
    const sink = new RecordingSink(1);
    fanout.join(topic('bars:AAPL:1', aapl), sink);
    aapl.next(1);
    endTick();
    expect(sink.log).toEqual([`bars:AAPL:1 ${update('bars:AAPL:1', 1)}`]);
  });

  it('releases corked sinks on a microtask by default', async () => {
    const fanout = new TopicFanout(() => undefined, () => 7);
    const [one, five] = [new Subject<unknown>(), new Subject<unknown>()];
    const sink = new RecordingSink(2);
    fanout.join(topic('bars:AAPL:1', one), sink);
    fanout.join(topic('bars:AAPL:5', five), sink);
    one.next(1);
    expect(sink.log.at(-1)).not.toBe('uncork');
    await Promise.resolve();
    expect(sink.log.at(-1)).toBe('uncork');
  });

  it('sends a one-off value to one sink with notify', () => {
    const { fanout } = fanoutWithManualTicks();
    const sink = new RecordingSink(1);
    fanout.notify(sink, 'bars', 'bars:X:1', { error: 'nope' });
    expect(sink.log).toEqual([`bars:X:1 ${update('bars:X:1', { error: 'nope' })}`]);
  });

  it('forgets a topic whose stream ends, so the next sink subscribes afresh', () => {
    const { fanout } = fanoutWithManualTicks();
    for (const end of ['complete', 'error'] as const) {
      const first = new Subject<unknown>();
      const sink = new RecordingSink(1);
      fanout.join(topic('bars:AAPL:1', first), sink);
      if (end === 'complete') first.complete();
      else first.error(new Error('gone'));
      const second = new Subject<unknown>();
      expect(fanout.join(topic('bars:AAPL:1', second), sink)).toBe(true);
      second.next(1);
      expect(sink.log).toEqual([`bars:AAPL:1 ${update('bars:AAPL:1', 1)}`]);
      fanout.leave('bars:AAPL:1', sink);
    }
  });

  it('stops the topic subscription when its last sink leaves', () => {
    const { fanout } = fanoutWithManualTicks();
    const aapl = new Subject<unknown>();
    const [first, second] = [new RecordingSink(1), new RecordingSink(1)];
    fanout.join(topic('bars:AAPL:1', aapl), first);
    expect(fanout.join(topic('bars:AAPL:1', aapl), first)).toBe(false);
    fanout.join(topic('bars:AAPL:1', aapl), second);
    fanout.leave('bars:AAPL:1', first);
    expect(aapl.observed).toBe(true);
    fanout.leave('bars:AAPL:1', second);
    expect(aapl.observed).toBe(false);
    expect(fanout.leave('bars:AAPL:1', second)).toBe(false);
  });

  it('declares a live-fed topic stale after a quiet spell, tells its sinks once, and live again with its next update', () => {
    let now = 0;
    const fanout = new TopicFanout(() => undefined, () => now, (flush) => flush());
    const aapl = new Subject<unknown>();
    const sink = new RecordingSink(1);
    fanout.join(topic('bars:AAPL:1', aapl), sink);
    aapl.next(1);
    now = 300;
    fanout.sweepStale(300);
    expect(fanout.liveTopics()).toEqual({ watched: 1, stale: [] }); // quiet for exactly the limit: not yet
    now = 301;
    fanout.sweepStale(300);
    fanout.sweepStale(300);
    expect(fanout.liveTopics()).toEqual({ watched: 1, stale: ['bars:AAPL:1'] });
    aapl.next(2);
    expect(fanout.liveTopics().stale).toEqual([]);
    expect(sink.log.filter((line) => line.startsWith('status'))).toEqual([
      'status {"type":"bars.status","topic":"bars:AAPL:1","payload":{"status":"stale","since":0}}',
      'status {"type":"bars.status","topic":"bars:AAPL:1","payload":{"status":"live"}}',
    ]);
    expect(sink.log.at(-1)).toContain('"payload":2');
  });

  it('never declares stale a topic that is not live-fed (a derived kind that updates when it has something)', () => {
    let now = 0;
    const fanout = new TopicFanout(() => undefined, () => now);
    const quiet = new Subject<unknown>();
    fanout.join({ ...topic('sma:AAPL:20', quiet), kind: 'sma', live: false }, new RecordingSink(1));
    now = 10_000;
    fanout.sweepStale(300);
    expect(fanout.liveTopics().stale).toEqual([]);
  });
});
