import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDLE_IN_TRANSACTION_TIMEOUT_MS, postgresPoolConfig } from '../../src/store/postgres-trade-store.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';

describe("the PostgreSQL store's connections", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('are opened with a bound on a transaction left idle, so a frozen process cannot hold its row locks for ever', async () => {
    const pool = new pg.Pool(postgresPoolConfig({ connectionString: await server.createDatabase() }));
    try {
      const { rows } = await pool.query<{ setting: string; unit: string }>("SELECT setting, unit FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout'");
      expect(rows).toEqual([{ setting: String(IDLE_IN_TRANSACTION_TIMEOUT_MS), unit: 'ms' }]);
      // PostgreSQL's own default: no bound at all.
      expect(IDLE_IN_TRANSACTION_TIMEOUT_MS).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
  });
});
