import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const load = (env: Record<string, string>) => loadConfig({ env: { NODE_ENV: 'test', ...env } });

describe('store settings', () => {
  it('default to SQLite under ./data on its worker thread, bars kept forever, trades 48 hours, normal sync', () => {
    expect(load({}).store).toEqual({ dataDir: './data', databaseUrl: '', historyRetentionDays: 0, tradeRetentionHours: 48, sync: 'normal', sqliteThread: 'worker' });
  });

  it('are read from DATA_DIR, DATABASE_URL, HISTORY_RETENTION_DAYS, INGEST_TRADE_RETENTION_HOURS, INGEST_SYNC and SQLITE_THREAD', () => {
    const env = { DATA_DIR: '/var/lib/barcast', DATABASE_URL: 'postgres://u:p@db:5432/barcast', HISTORY_RETENTION_DAYS: '365', INGEST_TRADE_RETENTION_HOURS: '72', INGEST_SYNC: 'full', SQLITE_THREAD: 'main' };
    expect(load(env).store).toEqual({ dataDir: '/var/lib/barcast', databaseUrl: 'postgres://u:p@db:5432/barcast', historyRetentionDays: 365, tradeRetentionHours: 72, sync: 'full', sqliteThread: 'main' });
  });

  it.each([
    [{ DATABASE_URL: 'mysql://db/barcast' }, /DATABASE_URL .*postgres:\/\/ or postgresql:\/\/ URL \(got mysql:\)/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL .*must be a URL/],
    [{ HISTORY_RETENTION_DAYS: '-1' }, /HISTORY_RETENTION_DAYS .*whole number from 0 to 36500/],
    [{ INGEST_TRADE_RETENTION_HOURS: '0' }, /INGEST_TRADE_RETENTION_HOURS .*whole number from 1 to 876000/],
    [{ INGEST_SYNC: 'extra' }, /INGEST_SYNC/],
    [{ SQLITE_THREAD: 'other' }, /SQLITE_THREAD/],
  ])('refuse %o', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });
});
