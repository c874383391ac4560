import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const load = (env: Record<string, string>, overrides?: Record<string, unknown>) =>
  loadConfig({ env: { NODE_ENV: 'test', ...env }, ...(overrides ? { overrides } : {}) });

describe('configuration', () => {
  it('reads lists and numbers from the environment', () => {
    const config = load({ BAR_BROADCASTER_SYMBOLS: 'AAPL, BRK.B', BAR_BROADCASTER_RESOLUTIONS: '1,d,D', BAR_BROADCASTER_INTERVAL: '0.5' });
    expect(config.broadcaster).toMatchObject({ symbols: ['AAPL', 'BRK.B'], resolutions: ['1', '1D'], interval: 0.5 });
  });

  it.each([
    [{ BAR_BROADCASTER_SYMBOLS: ' , ' }, /BAR_BROADCASTER_SYMBOLS .*at least one symbol/],
    [{ BAR_BROADCASTER_SYMBOLS: 'aapl' }, /BAR_BROADCASTER_SYMBOLS .*invalid symbol\(s\) aapl/],
    [{ BAR_BROADCASTER_RESOLUTIONS: ',' }, /BAR_BROADCASTER_RESOLUTIONS .*at least one resolution/],
    [{ BAR_BROADCASTER_RESOLUTIONS: '1,7' }, /BAR_BROADCASTER_RESOLUTIONS .*unknown resolution\(s\) 7/],
    [{ BAR_BROADCASTER_INTERVAL: '0' }, /BAR_BROADCASTER_INTERVAL .*greater than 0/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });

  it('refuses unknown keys', () => {
    expect(() => load({}, { nonsense: true })).toThrow(ConfigError);
  });

  it('works without NODE_ENV and without a config directory', () => {
    expect(loadConfig({ env: {}, configDir: '/nonexistent' }).port).toBe(8000);
  });
});
