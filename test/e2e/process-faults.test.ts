import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../fixtures/crash-after-start.ts', import.meta.url));

/** Runs the real entry point in a child node (through tsx) and reports how it ended. */
function runCrashingProcess(mode: 'exception' | 'rejection'): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'fatal', CRASH_MODE: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process still running after 15 s; output: ${stdout}`));
    }, 15_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

describe('process-level faults', () => {
  it.each([
    ['uncaught exception', 'exception'],
    ['unhandled rejection', 'rejection'],
  ] as const)('logs an %s as fatal and exits non-zero instead of serving on', async (message, mode) => {
    const { code, stdout } = await runCrashingProcess(mode);
    expect(code).toBe(1);
    const fatal = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
    expect(fatal).toEqual([expect.objectContaining({ level: 60, msg: message, err: expect.objectContaining({ message: expect.stringContaining('deliberate') }) })]);
  });
});
