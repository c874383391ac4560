import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const T0 = Date.UTC(2026, 0, 5, 14, 30);
const MINUTE = 60_000;

/*
 * `npx barcast import` then `npm start`: the imported trades are the history the server
 * serves. It needs trade-fed symbols (INGEST_SYMBOLS, the ingest half of issue 21): in a build
 * without them this is skipped, saying so.
 */
const tradeFed = 'ingest' in configSchema;

let dir: string;
let postgres: PostgresServer | undefined;
const children: ChildProcessWithoutNullStreams[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'barcast-import-start-'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await postgres?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function run(entry: string, args: readonly string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  children.push(child);
  return child;
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  child.stdout.resume();
  child.stderr.resume();
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function listeningPort(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr.resume();
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const port = /"port":(\d+).*"msg":"barcast listening"/.exec(buffered)?.[1];
      if (port) resolve(Number(port));
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${buffered}`)));
  });
}

const targets = [
  { name: 'SQLite', env: async (): Promise<Record<string, string>> => ({ DATA_DIR: mkdtempSync(join(dir, 'data-')) }) },
  { name: 'PostgreSQL', env: async (): Promise<Record<string, string>> => ({ DATABASE_URL: await (postgres ??= await startPostgresServer()).createDatabase() }) },
];

describe.skipIf(!tradeFed).each(targets)('barcast import, then the server started on the same $name store (needs INGEST_SYMBOLS)', (target) => {
  it('serves the imported bars as history over REST and UDF', async () => {
    const env = { ...(await target.env()), INGEST_SYMBOLS: 'AAPL', PUBLISH_TOKENS: 'publisher-token-for-the-import-test', BAR_BROADCASTER_RESOLUTIONS: '1,5' };
    const file = join(dir, `trades-${target.name}.csv`);
    // Ten minutes of trades, 100 ms apart: price 100.00 at each minute's start, up to 105.99 at its end.
    const lines = Array.from({ length: 6_000 }, (_, i) => `AAPL,${(100 + (i % 600) / 100).toFixed(2)},1,${T0 + i * 100},i${i}`);
    writeFileSync(file, `symbol,price,size,time,id\n${lines.join('\n')}\n`);
    expect(await exitCode(run('src/cli.ts', ['import', file], env))).toBe(0);

    const server = run('src/main.ts', [], env);
    const port = await listeningPort(server);
    const rest = (await (await fetch(`http://127.0.0.1:${port}/api/v1/bars?symbol=AAPL&resolution=5&from=${T0}&to=${T0 + 30 * MINUTE}`)).json()) as { bars: unknown[] };
    expect(rest.bars).toEqual([0, 5].map((m) => ({ time: T0 + m * MINUTE, open: 100, high: 105.99, low: 100, close: 105.99, volume: 3_000 })));
    const udf = (await (await fetch(`http://127.0.0.1:${port}/api/v1/udf/history?symbol=AAPL&resolution=1&from=${T0 / 1000}&to=${T0 / 1000 + 600}`)).json()) as { s: string; t: number[]; v: number[] };
    expect(udf.s).toBe('ok');
    expect(udf.t).toEqual(Array.from({ length: 10 }, (_, m) => (T0 + m * MINUTE) / 1000));
    expect(udf.v).toEqual(Array.from({ length: 10 }, () => 600));
    server.kill('SIGTERM');
    expect(await exitCode(server)).toBe(0);
  });
});
