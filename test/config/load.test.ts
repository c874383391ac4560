import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

describe('configuration', () => {
  it('embeds the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      broadcaster: { enabled: true, interval: 2, symbols: ['AAPL', 'GOOGL', 'MSFT'], resolutions: ['1'], seed: 42 },
      log: { level: 'info' },
    });
  });

  it('reads environment variables over the config files', () => {
    const config = loadConfig({
      env: {
        NODE_ENV: 'test',
        PORT: '9001',
        BAR_BROADCASTER_ENABLED: 'false',
        BAR_BROADCASTER_INTERVAL: '0.5',
        BAR_BROADCASTER_SYMBOLS: 'TSLA, NVDA',
        BAR_BROADCASTER_RESOLUTIONS: '1,5,D,1D,W',
        BAR_BROADCASTER_SEED: '7',
        LOG_LEVEL: 'warn',
      },
    });
    expect(config.port).toBe(9001);
    expect(config.broadcaster).toEqual({
      enabled: false,
      interval: 0.5,
      symbols: ['TSLA', 'NVDA'],
      resolutions: ['1', '5', '1D', '1W'],
      seed: 7,
    });
    expect(config.log.level).toBe('warn');
  });

  it('loads config/<NODE_ENV>.json over config/default.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'barcast-config-'));
    writeFileSync(join(dir, 'default.json'), JSON.stringify({ port: 7000, broadcaster: { seed: 1 } }));
    writeFileSync(join(dir, 'staging.json'), JSON.stringify({ port: 7001 }));
    const config = loadConfig({ env: { NODE_ENV: 'staging' }, configDir: dir });
    expect(config.port).toBe(7001);
    expect(config.broadcaster.seed).toBe(1);
  });

  it.each([
    ['BAR_BROADCASTER_INTERVAL', '0', /BAR_BROADCASTER_INTERVAL.*from 0.001 to 3600/],
    ['BAR_BROADCASTER_INTERVAL', 'fast', /BAR_BROADCASTER_INTERVAL/],
    ['BAR_BROADCASTER_SYMBOLS', 'AAPL,bad symbol', /BAR_BROADCASTER_SYMBOLS.*invalid symbol/],
    ['BAR_BROADCASTER_RESOLUTIONS', '1,2h', /BAR_BROADCASTER_RESOLUTIONS.*allowed are 1, 5, 15, 30, 60, 240/],
    ['PORT', '70000', /PORT/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['BAR_BROADCASTER_SEED', '1.5', /BAR_BROADCASTER_SEED/],
  ])('stops with a message naming %s when it is %j', (variable, value, message) => {
    expect(() => loadConfig({ env: { [variable]: value } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { [variable]: value } })).toThrow(message);
  });

  it('rejects unknown keys in config files (strict)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'barcast-config-'));
    writeFileSync(join(dir, 'default.json'), JSON.stringify({ prot: 8000 }));
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(/prot/);
  });
});

describe('configuration from the process', () => {
  it('reads process.env and config/<NODE_ENV>.json by default', () => {
    // vitest runs with NODE_ENV=test, so config/test.json applies
    expect(loadConfig()).toMatchObject({ port: 0, host: '127.0.0.1', log: { level: 'silent' } });
  });

  it('runs on schema defaults alone when the config folder is empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'barcast-config-'));
    expect(loadConfig({ env: {}, configDir: dir }).broadcaster.interval).toBe(2);
  });
});
