import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The decision (docs/operations.md): a stdout that fails does not stop the service. It keeps
 * serving, says once on stderr that logging is lost, and still stops cleanly on SIGTERM.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function start(stdout: 'pipe' | number, port: number): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', stdout, 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** Polls /health until it answers 200 (the process takes a few seconds to start under tsx). */
async function healthy(port: number, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 150 && !gone; attempt += 1) {
    const status = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(gone ? 'the process exited' : '/health never answered');
}

async function expectServesAndStops(run: ReturnType<typeof start>, port: number, code: string): Promise<void> {
  await healthy(port, run.exited);
  // Still serving after the failed writes: /health and history both answer.
  const history = await fetch(`http://127.0.0.1:${port}/api/v1/bars?symbol=AAPL&countback=3`);
  expect(history.status).toBe(200);
  await expect.poll(run.stderr, { timeout: 5_000 }).toContain(`logging to stdout failed (${code})`);
  expect(run.stderr().split('logging to stdout failed').length - 1).toBe(1);
  const signalledAt = Date.now();
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  expect(Date.now() - signalledAt).toBeLessThan(5_000);
}

describe('a stdout that cannot be written', () => {
  it('> /dev/full (ENOSPC): keeps serving, says so once on stderr, exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const full = openSync('/dev/full', 'w');
    try {
      await expectServesAndStops(start(full, port), port, 'ENOSPC');
    } finally {
      closeSync(full);
    }
  }, 30_000);

  it('a closed pipe (EPIPE): keeps serving, says so once on stderr, exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const run = start('pipe', port);
    run.child.stdout?.destroy(); // the reader goes away before the first line
    await expectServesAndStops(run, port, 'EPIPE');
  }, 30_000);
});
