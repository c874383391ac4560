import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresTradeStore } from '../../src/store/postgres-trade-store.js';
import { openSqliteTradeStore } from '../../src/store/sqlite-trade-store.js';
import { SQLITE_FILE_NAME } from '../../src/store/open-trade-store.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import type { AnyStore } from '../support/trade-stores.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const T0 = Date.UTC(2026, 0, 5, 14, 30);
const TRADES = 300_000;

let dir: string;
let postgres: PostgresServer;
const children: ChildProcessWithoutNullStreams[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'barcast-cli-'));
  postgres = await startPostgresServer();
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await postgres.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** `npx barcast ...`, run through tsx from source (no build step). */
function barcast(args: readonly string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', ...env },
  });
  children.push(child);
  return child;
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
}

/** Trades without ids: only the checkpoint can keep a resumed import from storing one twice. */
function tradesFile(name: string): string {
  const file = join(dir, name);
  const lines = ['symbol,price,size,time'];
  for (let i = 0; i < TRADES; i += 1) lines.push(`AAPL,${(100 + (i % 97) / 100).toFixed(2)},1,${T0 + i * 10}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface Target {
  readonly name: string;
  env(): Promise<Record<string, string>>;
  open(env: Record<string, string>): Promise<AnyStore>;
}

const targets: Target[] = [
  {
    name: 'SQLite under DATA_DIR',
    env: async () => ({ DATA_DIR: mkdtempSync(join(dir, 'data-')) }),
    open: async (env) => openSqliteTradeStore({ file: join(env['DATA_DIR'] ?? '', SQLITE_FILE_NAME), sync: 'normal' }),
  },
  {
    name: 'PostgreSQL at DATABASE_URL',
    env: async () => ({ DATABASE_URL: await postgres.createDatabase() }),
    open: async (env) => openPostgresTradeStore({ connectionString: env['DATABASE_URL'] ?? '' }),
  },
];

describe.each(targets)('npx barcast import, into $name', (target) => {
  it('killed with SIGKILL mid-import, resumes when run again: every trade once, and the bars of the whole file', async () => {
    const env = { ...(await target.env()), BAR_BROADCASTER_RESOLUTIONS: '1,5' };
    const file = tradesFile(`kill-${target.name.slice(0, 6)}.csv`);
    const store = await target.open(env);
    try {
      const first = barcast(['import', file, '--batch-size', '2000'], env);
      const firstExit = exitOf(first);
      // Kill it once some batches are committed (the store is read beside the running import).
      for (let committed = 0; committed === 0; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        committed = (await store.tradesSince('AAPL', 0)).length;
        if (first.exitCode !== null) throw new Error('the import ended before it could be killed');
      }
      first.kill('SIGKILL');
      expect((await firstExit).signal).toBe('SIGKILL');
      const kept = (await store.tradesSince('AAPL', 0)).length;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(TRADES);
      expect(kept % 2000).toBe(0); // whole batches only

      const second = await exitOf(barcast(['import', file, '--batch-size', '2000'], env));
      expect(second.stderr).toMatch(new RegExp(`resumed after line ${kept + 1}; ${TRADES - kept} lines read, ${TRADES - kept} trades imported, 0 duplicates, 0 bad lines skipped`));
      expect(second.code).toBe(0);
      const stored = await store.tradesSince('AAPL', 0);
      expect(stored).toHaveLength(TRADES);
      expect(new Set(stored.map((trade) => trade.time)).size).toBe(TRADES);
      // 300,000 trades 10 ms apart: 50 minutes, 10 five-minute bars, every one closed long ago.
      const minutes = await store.bars('AAPL', '1', 0, Date.now(), 1_000);
      expect(minutes).toHaveLength(50);
      expect(minutes.reduce((sum, bar) => sum + bar.volume, 0)).toBe(TRADES);
      expect(await store.bars('AAPL', '5', 0, Date.now(), 1_000)).toHaveLength(10);

      const third = await exitOf(barcast(['import', file], env));
      expect(third).toMatchObject({ code: 0, stderr: expect.stringMatching(/imported already/) });
    } finally {
      await store.close();
    }
  }, 120_000);

  it('reports bad lines with their numbers on stderr, imports the rest and exits 2', async () => {
    const env = await target.env();
    const file = join(dir, `bad-${target.name.slice(0, 6)}.csv`);
    writeFileSync(file, `symbol,price,size,time,id\nAAPL,1,1,${T0},a\nAAPL,-1,1,${T0},b\nAAPL,1,1,${T0},a\n`);
    const result = await exitOf(barcast(['import', file], env));
    expect(result.stderr).toContain('line 3: INVALID_PRICE: trade.price must be a finite number above zero');
    expect(result.stderr).toMatch(/3 lines read, 1 trades imported, 1 duplicates, 1 bad lines skipped; 1 bars built/);
    expect(result.code).toBe(2);
  });
});

describe('npx barcast', () => {
  it('explains a missing file and an unknown command, exiting 1', async () => {
    const missing = await exitOf(barcast(['import', join(dir, 'nope.csv')], { DATA_DIR: join(dir, 'unused') }));
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^barcast: ENOENT: no such file or directory/) });
    const unknown = await exitOf(barcast(['export'], {}));
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/unknown command "export"[\s\S]*usage: barcast import FILE.csv/) });
  });
});
