import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTradeStore, SQLITE_FILE_NAME } from '../../src/store/open-trade-store.js';
import type { PruneTarget } from '../../src/streams/retention-prune.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';

const trade = { symbol: 'AAPL', price: 1, size: 1, time: 1, id: 't1' };

describe('openTradeStore', () => {
  let dir: string;
  let postgres: PostgresServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'barcast-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(async () => postgres?.dispose());

  it('opens SQLite in DATA_DIR, creating the folder, when DATABASE_URL is empty', async () => {
    const dataDir = join(dir, 'data');
    const store = await openTradeStore({ dataDir, databaseUrl: '', sync: 'normal' });
    const pruneTarget: PruneTarget = store; // the retention schedule prunes the store itself
    expect(await store.appendTrades([trade])).toEqual([true]);
    await store.close();
    expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
    void pruneTarget;
  });

  it('opens PostgreSQL when DATABASE_URL is set, and writes nothing under DATA_DIR', async () => {
    postgres = await startPostgresServer();
    const dataDir = join(dir, 'unused');
    const store = await openTradeStore({ dataDir, databaseUrl: await postgres.createDatabase(), sync: 'normal' });
    expect(await store.appendTrades([trade, trade])).toEqual([true, false]);
    await store.close();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('fails to open with the reason when PostgreSQL cannot be reached', async () => {
    await expect(openTradeStore({ dataDir: dir, databaseUrl: 'postgres://nobody@127.0.0.1:1/none', sync: 'normal' })).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
