import { describe, expect, it } from 'vitest';
import * as barcast from '../src/index.js';
import * as client from '../src/client/index.js';

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

  // Pinned, as rxjs pins its barrel (spec/index-spec.ts): a change to this list is a decision.
  it('exports exactly these values from barcast', () => {
    expect(Object.keys(barcast).sort()).toEqual(
      [
        'BARS_TOPIC',
        'BASE_RESOLUTION',
        'ConfigError',
        'ERRORS',
        'ERROR_CODES',
        'Hub',
        'QUOTES_KIND',
        'RESOLUTIONS',
        'TRANSPORT_ENGINES',
        'TopicRequestError',
        'barsTopicKey',
        'conflate',
        'createApp',
        'isValidSymbol',
        'loadConfig',
        'nextPeriodStart',
        'parseBarsTopicKey',
        'parseResolution',
        'parseTopicKey',
        'periodStart',
        'quoteError',
        'quoteFromSessionBar',
        'requestError',
        'resample',
        'sma',
        'toQuote',
        'topicKey',
        'topicRef',
      ].sort(),
    );
  });

  it('keeps the client out of the server entry point, behind barcast/client', () => {
    expect(barcast).not.toHaveProperty('connect');
    expect(typeof client.connect).toBe('function');
  });
});
