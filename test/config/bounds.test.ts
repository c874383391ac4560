import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

/** Every setting of the schema with its environment variable and format name. */
function settings(node: Record<string, unknown> = configSchema, path = ''): { path: string; env: string; format: unknown; value: unknown }[] {
  return Object.entries(node).flatMap(([key, child]) => {
    const entry = child as Record<string, unknown>;
    if ('default' in entry) return [{ path: `${path}${key}`, env: String(entry['env']), format: entry['format'], value: entry['default'] }];
    return settings(entry, `${path}${key}.`);
  });
}

const numeric = settings().filter((setting) => typeof setting.value === 'number');

describe('numeric settings', () => {
  it('each has a bounded format, not a bare number', () => {
    for (const setting of numeric) {
      expect(typeof setting.format === 'string' && /\d\.\.\d|port|interval|strict-integer|lease-intervals/.test(setting.format), setting.path).toBe(true);
    }
  });

  it.each([
    ['BAR_BROADCASTER_INTERVAL', '0.000001', /BAR_BROADCASTER_INTERVAL.*from 0\.001 to 3600, in whole milliseconds/],
    ['BAR_BROADCASTER_INTERVAL', '0.0015', /BAR_BROADCASTER_INTERVAL.*whole milliseconds/],
    ['BAR_BROADCASTER_INTERVAL', '7200', /BAR_BROADCASTER_INTERVAL/],
    ['HISTORY_MAX_BARS', '0', /HISTORY_MAX_BARS.*from 1 to 100000/],
    ['HISTORY_MAX_BARS', '1000000', /HISTORY_MAX_BARS.*from 1 to 100000/],
    ['HISTORY_MAX_COST', '0', /HISTORY_MAX_COST/],
    ['HISTORY_CACHE_BARS', '-1', /HISTORY_CACHE_BARS/],
    ['HISTORY_LISTING_DATE', '2020-02-30', /HISTORY_LISTING_DATE.*YYYY-MM-DD/],
    ['HISTORY_LISTING_DATE', 'yesterday', /HISTORY_LISTING_DATE/],
    ['HISTORY_RATE_LIMIT', '0', /HISTORY_RATE_LIMIT/],
    ['HISTORY_RATE_WINDOW_MS', '10', /HISTORY_RATE_WINDOW_MS.*from 100/],
    ['HTTP_HEADERS_TIMEOUT_MS', '0', /HTTP_HEADERS_TIMEOUT_MS.*from 100 to 120000/],
    ['HTTP_REQUEST_TIMEOUT_MS', '99', /HTTP_REQUEST_TIMEOUT_MS/],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '0', /HTTP_KEEP_ALIVE_TIMEOUT_MS/],
    ['WS_UPGRADE_TIMEOUT_MS', '600000', /WS_UPGRADE_TIMEOUT_MS/],
    ['SHUTDOWN_TIMEOUT_MS', '60000', /SHUTDOWN_TIMEOUT_MS.*from 0 to 4000/],
    ['MAX_CONNECTIONS', '0', /MAX_CONNECTIONS/],
    ['MAX_HTTP_CONNECTIONS', '0', /MAX_HTTP_CONNECTIONS/],
    ['MAX_HANDSHAKES_PER_IP', '0', /MAX_HANDSHAKES_PER_IP/],
    ['WS_MAX_PAYLOAD_BYTES', '16', /WS_MAX_PAYLOAD_BYTES.*from 128/],
    ['WS_MAX_SUBSCRIPTIONS', '1.5', /WS_MAX_SUBSCRIPTIONS.*whole number/],
    ['WS_RATE_LIMIT_PER_SECOND', '0', /WS_RATE_LIMIT_PER_SECOND/],
    ['WS_RATE_LIMIT_BURST', '0', /WS_RATE_LIMIT_BURST/],
    ['WS_RATE_LIMIT_CLOSE_AFTER', '0', /WS_RATE_LIMIT_CLOSE_AFTER/],
    ['WS_BUFFER_SOFT_BYTES', '0', /WS_BUFFER_SOFT_BYTES/],
    ['WS_BUFFER_HARD_BYTES', '99999999999', /WS_BUFFER_HARD_BYTES/],
    ['WS_SLOW_CONSUMER_TIMEOUT_MS', '-1', /WS_SLOW_CONSUMER_TIMEOUT_MS/],
    ['WS_DRAIN_CHECK_MS', '0', /WS_DRAIN_CHECK_MS/],
    ['WS_HEARTBEAT_INTERVAL_MS', '5', /WS_HEARTBEAT_INTERVAL_MS.*0 \(off\) or/],
    ['REDIS_RECONNECT_MAX_MS', '0', /REDIS_RECONNECT_MAX_MS/],
    ['BAR_BROADCASTER_SEED', '1e300', /BAR_BROADCASTER_SEED.*safe integer/],
    ['FANOUT_STALE_AFTER_INTERVALS', '-1', /FANOUT_STALE_AFTER_INTERVALS.*from 0 to 1000/],
  ])('refuses %s=%s at start-up with a clear error', (variable, value, message) => {
    expect(() => loadConfig({ env: { [variable]: value } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { [variable]: value } })).toThrow(message);
  });

  it('accepts both ends of a range', () => {
    const config = loadConfig({ env: { BAR_BROADCASTER_INTERVAL: '0.001', HISTORY_MAX_BARS: '100000', WS_HEARTBEAT_INTERVAL_MS: '10', SHUTDOWN_TIMEOUT_MS: '0' } });
    expect(config.broadcaster.interval).toBe(0.001);
    expect(config.history.maxBars).toBe(100_000);
    expect(config.heartbeat.intervalMs).toBe(10);
    expect(config.shutdown.timeoutMs).toBe(0);
  });

  it('refuses settings that contradict each other', () => {
    expect(() => loadConfig({ env: { HTTP_HEADERS_TIMEOUT_MS: '9000', HTTP_REQUEST_TIMEOUT_MS: '8000' } })).toThrow(/HTTP_HEADERS_TIMEOUT_MS.*must not exceed HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ env: { WS_BUFFER_SOFT_BYTES: '2048', WS_BUFFER_HARD_BYTES: '1024' } })).toThrow(/WS_BUFFER_SOFT_BYTES.*must not exceed/);
  });

  it('defaults every connection deadline to a few seconds', () => {
    const { http } = loadConfig({ env: {} });
    for (const value of Object.values(http)) expect(value).toBeLessThanOrEqual(10_000);
  });
});
