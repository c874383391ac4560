import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'test/fixtures/topic-kind-contract.node-test.ts';

/** Runs the contract suite under `node --test` (through tsx, so no build step) and reads its TAP summary. */
function nodeTest(env: Record<string, string> = {}): Promise<{ pass: number; fail: number; tap: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', FIXTURE],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 30_000 },
      (_error, stdout) => {
        const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(stdout)?.[1] ?? Number.NaN);
        resolve({ pass: count('pass'), fail: count('fail'), tap: stdout });
      },
    );
  });
}

describe('barcast/testing is runner-neutral', () => {
  it('runs the topic kind contract under node:test, with node:assert, and the built-in bars kind passes it', async () => {
    const { pass, fail, tap } = await nodeTest();
    expect({ pass, fail }, tap).toEqual({ pass: 9, fail: 0 });
  });

  it('fails there too when the kind breaks the contract', async () => {
    const { fail, tap } = await nodeTest({ BARCAST_BROKEN_KIND: '1' });
    expect(fail, tap).toBeGreaterThan(0);
    expect(tap).toMatch(/not ok \d+ - makes stable keys inside its prefix, distinct for distinct topics/);
  });
});
