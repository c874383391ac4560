import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const scratchDirs: string[] = [];
afterAll(() => Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

interface LockEntry {
  readonly dev?: boolean;
  readonly link?: boolean;
}

/**
 * A scratch project depending on the packed tarball only, with a lock file that pins
 * barcast's runtime dependencies as this repository's lock does, so `npm ci --offline`
 * installs them from npm's cache (filled by the `npm ci` that precedes every test run)
 * without touching the network.
 */
async function scratchProject(dir: string, tarball: string): Promise<void> {
  const repoLock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const integrity = `sha512-${createHash('sha512').update(await readFile(join(dir, tarball))).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'scratch', dependencies: { barcast: `file:${tarball}` } },
    'node_modules/barcast': { version: pkg.version, resolved: `file:${tarball}`, integrity, dependencies: pkg.dependencies },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) if (path.startsWith('node_modules/') && !entry.dev && !entry.link) packages[path] = entry;
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { barcast: `file:${tarball}` } }));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify({ name: 'scratch', lockfileVersion: 3, requires: true, packages }));
}

/** Imports the kit by its package name, runs a marble test and an end-to-end round trip with node:assert, and reports. */
const USE_THE_KIT = `
import assert from 'node:assert/strict';
import { createTestHub, marbleScheduler, MarbleLimitError, mockSeries, startTestApp } from 'barcast/testing';
import { interval } from 'rxjs';

const scheduler = marbleScheduler(assert.deepStrictEqual);
scheduler.run(({ expectObservable }) => {
  const testHub = createTestHub({ scheduler, periodMs: 10 });
  const { marbles, values } = mockSeries({ symbol: 'AAPL', periodMs: 10 }).liveMarbles(3);
  expectObservable(testHub.topic('bars', { symbol: 'AAPL' }).stream$, '^ 20ms !').toBe(marbles, values);
});
let limit = '';
try {
  marbleScheduler(assert.deepStrictEqual, { maxFrames: 1000 }).run(({ expectObservable }) => expectObservable(interval(10)).toBe(''));
} catch (error) {
  limit = error instanceof MarbleLimitError ? error.name : String(error);
}
const app = await startTestApp();
const client = await app.connect();
client.subscribeBars('MSFT');
const update = await client.nextUpdate('bars:MSFT:1');
await app.stop();
let vitest = 'resolvable';
try {
  import.meta.resolve('vitest');
} catch {
  vitest = 'absent';
}
console.log(JSON.stringify({ topic: update.topic, limit, vitest }));
`;

const TYPED = `
import { mockSeries, startTestApp, type TestApp } from 'barcast/testing';
const close: number = mockSeries({ symbol: 'AAPL' }).barAt(0).close;
const app: Promise<TestApp> = startTestApp({ config: { broadcaster: { interval: 0.1 } } });
export { close, app };
`;
const MISTYPED = `
import { mockSeries } from 'barcast/testing';
export const close: string = mockSeries({ symbol: 'AAPL' }).barAt(0).close;
`;

/** tsc over the scratch project's files, as a consumer on NodeNext resolution compiles them; resolves with its diagnostics. */
function typecheck(dir: string, files: readonly string[]): Promise<string> {
  const args = [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--typeRoots', join(ROOT, 'node_modules/@types'), '--types', 'node', ...files];
  return run(process.execPath, args, { cwd: dir }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
}

describe('the built package', () => {
  it("exports barcast/testing: built, packed, installed in a scratch project, imported by name and typed", { timeout: 120_000 }, async () => {
    await run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
    const dir = await mkdtemp(join(tmpdir(), 'barcast-pack-'));
    scratchDirs.push(dir);
    const { stdout: packed } = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT });
    const tarball = packed.trim().split('\n').at(-1) ?? '';
    await scratchProject(dir, tarball);
    await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--silent'], { cwd: dir });

    await writeFile(join(dir, 'use-the-kit.mjs'), USE_THE_KIT);
    const { stdout } = await run(process.execPath, ['use-the-kit.mjs'], { cwd: dir, timeout: 30_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ topic: 'bars:MSFT:1', limit: 'MarbleLimitError', vitest: 'absent' });

    await writeFile(join(dir, 'typed.ts'), TYPED);
    await writeFile(join(dir, 'mistyped.ts'), MISTYPED);
    const diagnostics = (await typecheck(dir, ['typed.ts', 'mistyped.ts'])).trim().split('\n');
    expect(diagnostics).toEqual([expect.stringMatching(/^mistyped\.ts\(3,14\): error TS2322: Type 'number' is not assignable to type 'string'/)]);
  });
});
