import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

describe('invalid configuration', () => {
  it.each([
    ['BAR_BROADCASTER_SYMBOLS', 'AAPL,bad symbol', /invalid symbol\(s\) bad symbol/],
    ['BAR_BROADCASTER_SYMBOLS', ' , ', /at least one symbol/],
    ['BAR_BROADCASTER_RESOLUTIONS', '1,7', /unknown resolution\(s\) 7/],
    ['BAR_BROADCASTER_RESOLUTIONS', '', /at least one resolution/],
    ['BAR_BROADCASTER_INTERVAL', '-1', /greater than 0/],
    ['WS_BUFFER_SOFT_BYTES', 'lots', /whole number/],
  ])('refuses %s=%j and names the variable', (variable, value, reason) => {
    const load = () => loadConfig({ env: { [variable]: value } });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(variable));
    expect(load).toThrow(reason);
  });

  it('refuses unknown keys in overrides', () => {
    expect(() => loadConfig({ env: {}, overrides: { limits: { maxConnection: 3 } } })).toThrow(ConfigError);
  });
});
