import { describe, expect, it } from 'vitest';
import { readUpdateFrame } from '../../src/cluster/update-frame.js';
import { updateMessage } from '../../src/transport/ws/protocol.js';

const TOPIC = 'bars:AAPL:1';
const bar = { time: 60_000, open: 10, high: 12, low: 9, close: 11, volume: 5 };

describe('readUpdateFrame', () => {
  it('reads back the frame a generator published', () => {
    const text = updateMessage('bars', TOPIC, 61_000, bar);
    expect(readUpdateFrame(text, TOPIC)).toEqual({ text, ts: 61_000, bar });
  });

  it.each([
    ['not JSON', '{'],
    ['another topic', updateMessage('bars', 'bars:MSFT:1', 1, bar)],
    ['another message type', JSON.stringify({ type: 'bars.subscribe', topic: TOPIC, ts: 1, payload: bar })],
    ['a missing time stamp', JSON.stringify({ type: 'bars.update', topic: TOPIC, payload: bar })],
    ['a bar with a missing field', updateMessage('bars', TOPIC, 1, { ...bar, close: undefined })],
    ['a bar whose high is below its close', updateMessage('bars', TOPIC, 1, { ...bar, high: 10.5 })],
  ])('refuses %s', (_what, text) => {
    expect(readUpdateFrame(text, TOPIC)).toBeUndefined();
  });
});
