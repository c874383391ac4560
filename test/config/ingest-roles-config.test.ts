import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const load = (env: Record<string, string>) => loadConfig({ env: { NODE_ENV: 'test', INGEST_SYMBOLS: 'ACME', ...env } });
const POSTGRES = 'postgres://barcast@db:5432/barcast';

describe('trade-fed symbols in the Redis roles', () => {
  it.each(['gateway', 'generator'])('refuse SQLite as the store of a %s, naming DATABASE_URL and why', (role) => {
    expect(() => load({ BARCAST_ROLE: role })).toThrow(
      `INGEST_SYMBOLS with BARCAST_ROLE=${role} needs DATABASE_URL (PostgreSQL): every gateway and generator must share the trade store, and SQLite (DATA_DIR) is one process's file`,
    );
  });

  it.each(['gateway', 'generator'])('start a %s on PostgreSQL', (role) => {
    const config = load({ BARCAST_ROLE: role, DATABASE_URL: POSTGRES });
    expect(config.ingest.symbols).toEqual(['ACME']);
    expect(config.cluster.role).toBe(role);
  });

  it('keep SQLite for standalone', () => {
    expect(load({}).store.databaseUrl).toBe('');
  });

  it('read the forward timeout from INGEST_FORWARD_TIMEOUT_MS (5 s by default) and refuse one out of range', () => {
    expect(load({}).ingest.forwardTimeoutMs).toBe(5_000);
    expect(load({ INGEST_FORWARD_TIMEOUT_MS: '750' }).ingest.forwardTimeoutMs).toBe(750);
    expect(() => load({ INGEST_FORWARD_TIMEOUT_MS: '50' })).toThrow(/INGEST_FORWARD_TIMEOUT_MS/);
  });
});
