import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isType, TestClient } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs src/main.ts (or a fixture that imports it) as `npm start` would (through tsx, so no build step), on a free port. */
function startProcess(env: Record<string, string> = {}, entry = 'src/main.ts'): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  children.push(child);
  return child;
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

/** Resolves with the port from the "barcast listening" log line. */
function listeningPort(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const port = /"port":(\d+).*"msg":"barcast listening"/.exec(buffered)?.[1];
      if (port) resolve(Number(port));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${buffered}`)));
  });
}

describe('the process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s closes clients with 1001 and exits 0 by itself, within 5 s', async (signal) => {
    const child = startProcess();
    const exited = exitOf(child);
    const port = await listeningPort(child);
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/api/v1/ws`);
    client.subscribeBars('AAPL');
    await client.waitFor(isType('bars.subscribe.response'));

    const signalledAt = Date.now();
    child.kill(signal);
    expect((await client.closed).code).toBe(1001);
    const { code, stdout } = await exited;
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['barcast listening', 'shutting down', 'barcast stopped']));
  });

  it('refuses to start on an invalid setting, naming the variable', async () => {
    const { code, stderr } = await exitOf(startProcess({ BAR_BROADCASTER_INTERVAL: '-1' }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/BAR_BROADCASTER_INTERVAL.*must be a number of seconds from 0.001 to 3600/);
  });

  it.each([
    ['uncaught exception', 'exception'],
    ['unhandled rejection', 'rejection'],
  ] as const)('logs an %s as fatal and exits non-zero instead of serving on', async (message, mode) => {
    const { code, stdout } = await exitOf(startProcess({ LOG_LEVEL: 'fatal', CRASH_MODE: mode }, 'test/fixtures/crash-after-start.ts'));
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
    expect(lines).toEqual([expect.objectContaining({ level: 60, msg: message, err: expect.objectContaining({ message: expect.stringContaining('deliberate') }) })]);
  });
});
