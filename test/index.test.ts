import { describe, expect, it } from 'vitest';
import * as barcast from '../src/index.js';

describe('the package API', () => {
  it('exports the composition root, the hub and the domain helpers', () => {
    expect(typeof barcast.createApp).toBe('function');
    expect(typeof barcast.Hub).toBe('function');
    expect(barcast.ERROR_CODES).toContain('INVALID_JSON');
    expect(barcast.topicKey('bars', 'AAPL', '1')).toBe('bars:AAPL:1');
    expect(barcast.parseBarsTopicKey('bars:AAPL:1')).toEqual({ symbol: 'AAPL', resolution: '1' });
    expect(barcast.parseBarsTopicKey('bars:AAPL')).toBeUndefined();
    expect(barcast.parseTopicKey('bars')).toBeUndefined();
  });
});
