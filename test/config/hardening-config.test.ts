import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function tokenFile(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'barcast-tokens-'));
  directories.push(directory);
  const file = join(directory, 'tokens');
  writeFileSync(file, text);
  return file;
}

describe('limits, heartbeat and auth config', () => {
  it('defaults to open access with bounded limits', () => {
    const config = loadConfig({ env: {} });
    expect(config.auth).toEqual({
      tokens: [],
      tokenFile: '',
      allowedOrigins: [],
      jwtSecret: '',
      jwtKeyFile: '',
      jwtAudience: '',
      jwtIssuer: '',
      jwtClockSkewSeconds: 5,
      expiryWarningSeconds: 60,
      maxTokenBytes: 4096,
      metricsPublic: false,
    });
    expect(config.limits.maxPayloadBytes).toBe(16 * 1024);
    expect(config.limits.bufferSoftBytes).toBeLessThan(config.limits.bufferHardBytes);
    expect(config.heartbeat.intervalMs).toBe(30_000);
  });

  it('reads every limit and the access lists from the environment', () => {
    const config = loadConfig({
      env: {
        MAX_CONNECTIONS: '7',
        WS_MAX_PAYLOAD_BYTES: '2048',
        WS_MAX_SUBSCRIPTIONS: '3',
        WS_RATE_LIMIT_PER_SECOND: '2.5',
        WS_HEARTBEAT_INTERVAL_MS: '0',
        AUTH_TOKENS: 'one, two',
        ALLOWED_ORIGINS: 'https://a.example,https://b.example',
      },
    });
    expect(config.limits).toMatchObject({ maxConnections: 7, maxPayloadBytes: 2048, maxSubscriptions: 3, messagesPerSecond: 2.5 });
    expect(config.heartbeat.intervalMs).toBe(0);
    expect(config.auth.tokens).toEqual(['one', 'two']);
    expect(config.auth.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names the variable of a bad limit', () => {
    expect(() => loadConfig({ env: { MAX_CONNECTIONS: '0' } })).toThrow(/MAX_CONNECTIONS/);
    expect(() => loadConfig({ env: { WS_MAX_SUBSCRIPTIONS: '1.5' } })).toThrow(/WS_MAX_SUBSCRIPTIONS/);
  });

  it('adds the tokens of AUTH_TOKEN_FILE, skipping blank and comment lines', () => {
    const file = tokenFile('# rotated 2026-11\nfile-token-1\n\n  file-token-2  \r\n');
    const config = loadConfig({ env: { AUTH_TOKENS: 'env-token', AUTH_TOKEN_FILE: file } });
    expect(config.auth.tokens).toEqual(['env-token', 'file-token-1', 'file-token-2']);
  });

  it('refuses a token file that is missing or holds no token, rather than turning auth off', () => {
    expect(() => loadConfig({ env: { AUTH_TOKEN_FILE: join(tmpdir(), 'barcast-no-such-token-file') } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { AUTH_TOKEN_FILE: tokenFile('# nothing\n\n') } })).toThrow(/holds no token/);
  });
});
