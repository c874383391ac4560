import { describe, expect, it } from 'vitest';
import { readBarsUpdateFrame, updateFrame } from '../../src/domain/update.js';

const TOPIC = 'bars:AAPL:1';
const bar = { time: 60_000, open: 10, high: 12, low: 9, close: 11, volume: 5 };
const frameOf = (topic: string, ts: number, value: unknown): string => updateFrame('bars', topic, { value, ts });

describe('readBarsUpdateFrame', () => {
  it('reads back the frame a generator published', () => {
    const text = frameOf(TOPIC, 61_000, bar);
    expect(readBarsUpdateFrame(text, TOPIC)).toEqual({ frame: text, ts: 61_000, value: bar });
  });

  it('reads back the numbering and the final mark', () => {
    const text = updateFrame('bars', TOPIC, { value: bar, ts: 119_999, seq: 7, epoch: 'e1', final: true });
    expect(readBarsUpdateFrame(text, TOPIC)).toEqual({ frame: text, ts: 119_999, seq: 7, epoch: 'e1', final: true, value: bar });
    expect(JSON.parse(text)).toEqual({ type: 'bars.update', topic: TOPIC, ts: 119_999, seq: 7, epoch: 'e1', final: true, payload: bar });
  });

  it.each([
    ['a seq that is not an integer', JSON.stringify({ type: 'bars.update', topic: TOPIC, ts: 1, seq: 1.5, payload: bar })],
    ['an epoch that is not a string', JSON.stringify({ type: 'bars.update', topic: TOPIC, ts: 1, epoch: 3, payload: bar })],
    ['not JSON', '{'],
    ['another topic', frameOf('bars:MSFT:1', 1, bar)],
    ['another message type', JSON.stringify({ type: 'bars.subscribe', topic: TOPIC, ts: 1, payload: bar })],
    ['a missing time stamp', JSON.stringify({ type: 'bars.update', topic: TOPIC, payload: bar })],
    ['a bar with a missing field', frameOf(TOPIC, 1, { ...bar, close: undefined })],
    ['a bar whose high is below its close', frameOf(TOPIC, 1, { ...bar, high: 10.5 })],
  ])('refuses %s', (_what, text) => {
    expect(readBarsUpdateFrame(text, TOPIC)).toBeUndefined();
  });
});
