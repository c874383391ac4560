import { describe, expect, it } from 'vitest';
import { barsTopicKey, parseBarsTopicKey, parseTopicKey, topicKey } from '../../src/domain/topic.js';

describe('topic keys', () => {
  it('build and parse', () => {
    expect(topicKey('trades', 'AAPL')).toBe('trades:AAPL');
    expect(parseTopicKey('trades:AAPL')).toEqual({ kind: 'trades', parts: ['AAPL'] });
    expect(parseBarsTopicKey(barsTopicKey('BRK.B', '1D'))).toEqual({ symbol: 'BRK.B', resolution: '1D' });
  });

  it.each(['', 'bars', 'bars:', 'bars::1', ':AAPL'])('refuse the malformed key %j', (key) => {
    expect(parseTopicKey(key)).toBeUndefined();
  });

  it.each(['trades:AAPL:1', 'bars:AAPL', 'bars:aapl:1', 'bars:AAPL:D', 'bars:AAPL:7', 'bars:AAPL:1:x'])('refuse %j as a bars key', (key) => {
    expect(parseBarsTopicKey(key)).toBeUndefined();
  });
});
