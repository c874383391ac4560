import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

describe('loadConfig', () => {
  it('layers defaults, the NODE_ENV file, the environment and overrides', () => {
    const config = loadConfig({
      env: { NODE_ENV: 'test', BAR_BROADCASTER_SYMBOLS: 'AAPL, BTC-USD', BAR_BROADCASTER_RESOLUTIONS: 'D,1,1D', HISTORY_MAX_BARS: '300' },
      overrides: { shutdown: { timeoutMs: 10 } },
    });
    expect(config.host).toBe('127.0.0.1');
    expect(config.broadcaster.interval).toBe(0.05);
    expect(config.broadcaster.resolutions).toEqual(['1D', '1']);
    expect(config.history.maxBars).toBe(300);
    expect(config.shutdown.timeoutMs).toBe(10);
    expect(config.broadcaster.symbols).toEqual(['AAPL', 'BTC-USD']);
  });

  it('names the environment variable and what it accepts when a value is invalid', () => {
    const load = (env: NodeJS.ProcessEnv) => () => loadConfig({ env });
    expect(load({ BAR_BROADCASTER_SYMBOLS: 'AAPL,bad symbol' })).toThrow(/BAR_BROADCASTER_SYMBOLS.*invalid symbol/);
    expect(load({ BAR_BROADCASTER_SYMBOLS: ' , ' })).toThrow(/at least one symbol/);
    expect(load({ BAR_BROADCASTER_RESOLUTIONS: '7' })).toThrow(/BAR_BROADCASTER_RESOLUTIONS.*unknown resolution/);
    expect(load({ BAR_BROADCASTER_RESOLUTIONS: ',' })).toThrow(/at least one resolution/);
    expect(load({ BAR_BROADCASTER_INTERVAL: '0' })).toThrow(/BAR_BROADCASTER_INTERVAL.*greater than 0/);
    expect(load({ HISTORY_MAX_BARS: '-1' })).toThrow(ConfigError);
  });

  it('rejects unknown keys', () => {
    expect(() => loadConfig({ env: {}, overrides: { nope: 1 } })).toThrow(ConfigError);
  });

  it('works without config files', () => {
    expect(loadConfig({ env: {}, configDir: '/nonexistent-config-dir' }).port).toBe(8000);
  });
});
