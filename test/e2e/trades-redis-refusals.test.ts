import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, redisTestBed } from '../support/cluster.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { outcomes, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';
import { tradesClusterConfig } from '../support/trades-redis.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const bed = redisTestBed();
let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgresServer();
});
afterAll(async () => {
  await postgres?.dispose();
});

const publisherHeaders = { authorization: `Bearer ${PUBLISH_TOKEN}` };

/** src/main.ts as `npm start` runs it, with `env`: its exit code and what it printed. */
function runBarcast(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    }),
  );
}

describe('trade-fed symbols in the Redis roles: refusals', () => {
  it.each(['gateway', 'generator'])('refuses to start a %s on SQLite, saying why, and exits 1', { timeout: 20_000 }, async (role) => {
    const { code, output } = await runBarcast({ BARCAST_ROLE: role, REDIS_URL: bed.server.url, INGEST_SYMBOLS: 'ACME', PUBLISH_TOKENS: PUBLISH_TOKEN });
    expect(code).toBe(1);
    expect(output).toContain(`INGEST_SYMBOLS with BARCAST_ROLE=${role} needs DATABASE_URL (PostgreSQL)`);
    expect(output).toContain("SQLite (DATA_DIR) is one process's file");
  });

  it('refuses a trade no generator confirms within INGEST_FORWARD_TIMEOUT_MS with INGEST_UNAVAILABLE, and a bad one at once with its own code', { timeout: 20_000 }, async () => {
    const databaseUrl = await postgres.createDatabase();
    // A gateway and no generator: nobody reads the symbol's trade stream.
    const gateway = await bed.apps.start({ config: tradesClusterConfig('gateway', { redisUrl: bed.server.url }, databaseUrl, { forwardTimeoutMs: 300 }) });
    const publisher = await gateway.connect({ headers: publisherHeaders });
    // The gateway forwards once it hears its reply channel (before that a trade is refused without being forwarded).
    await eventually(async () => ((await bed.redis.pubsub('CHANNELS', 'barcast:ingest:reply:*')).length === 1 ? true : undefined), 'the reply channel');
    const now = Date.now();
    const started = Date.now();
    const results = await publishOverWs(publisher, [
      { symbol: 'ACME', price: 10, size: 1, time: now, id: 'a' },
      { symbol: 'ACME', price: 0, size: 1, time: now, id: 'b' },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(outcomes(results)).toEqual(['INGEST_UNAVAILABLE', 'INVALID_PRICE']);
    expect(results.results?.[0]).toMatchObject({ message: expect.stringContaining('publish it again with the same id') });
    // The entry is in the stream: a generator that comes later may still commit it (docs/operations.md).
    expect(await bed.redis.xlen('barcast:trades:bars:ACME:1')).toBe(1);

    const http = await fetch(`${gateway.httpUrl}/api/v1/trades`, {
      method: 'POST',
      headers: { ...publisherHeaders, 'content-type': 'application/json' },
      body: JSON.stringify([{ symbol: 'ACME', price: 10, size: 1, time: Date.now(), id: 'c' }]),
    });
    expect(http.status).toBe(503);
    expect(await http.json()).toMatchObject({ status: 'error', code: 'INGEST_UNAVAILABLE', accepted: 0, refused: 1 });
  });
});
