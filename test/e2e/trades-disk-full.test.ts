import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isUpdateOf, testApps } from '../../src/testing/index.js';
import { ingestConfig, PUBLISH_TOKEN } from '../support/trade-publisher.js';

const isRoot = process.getuid?.() === 0;
const apps = testApps();
afterEach(() => apps.stopAll());

/** Fills the file system under `dir` to the last byte with one file (as test/store/disk-full.test.ts does). */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (let size = block.length; size >= 1; ) {
      try {
        writeSync(fd, block, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/* A real full disk under a running server: DATA_DIR on a 4 MB tmpfs mounted for the test (needs root). */
describe.skipIf(!isRoot)('publishing onto a full disk (DATA_DIR on a 4 MB tmpfs; needs root to mount it)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'barcast-ingest-full-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { encoding: 'utf8' });
    if (mount.status !== 0) throw new Error(`cannot mount a tmpfs as root: ${mount.stderr}`);
  });
  afterAll(() => {
    // libsql lets go of closed files when they are garbage collected: -l detaches the mount all the same.
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses trades with STORE_UNAVAILABLE while the disk is full, serves reads and streams meanwhile, and takes trades again once there is room', async () => {
    const { httpUrl, connect } = await apps.start({ config: ingestConfig(dir, { latenessMs: 60_000 }) });
    const batch = (tag: string) =>
      JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ symbol: 'ACME', price: 100 + (i % 50), size: 1, time: Date.now(), id: `${tag}-${i}` })));
    const post = (body: string) => fetch(`${httpUrl}/api/v1/trades`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${PUBLISH_TOKEN}` }, body });
    expect((await post(batch('before'))).status).toBe(200);
    const watcher = await connect();
    await watcher.response(watcher.subscribeBars('AAPL', '1'));

    const filler = fill(dir);
    const refusals: unknown[] = [];
    for (let attempt = 0; attempt < 5 && refusals.length === 0; attempt += 1) {
      const response = await post(batch(`full-${attempt}`));
      if (response.status === 503) refusals.push(await response.json());
    }
    expect(refusals[0]).toMatchObject({ status: 'error', code: 'STORE_UNAVAILABLE', accepted: 0, results: expect.arrayContaining([expect.objectContaining({ code: 'STORE_UNAVAILABLE' })]) });
    // Reads and live streams go on.
    const from = watcher.messages.length;
    await watcher.waitForCount(isUpdateOf('bars:AAPL:1'), 2, { from });
    expect((await fetch(`${httpUrl}/api/v1/bars?symbol=ACME&resolution=1&countback=5`)).status).toBe(200);

    unlinkSync(filler);
    const after = await post(batch('after'));
    expect({ status: after.status, accepted: ((await after.json()) as { accepted: number }).accepted }).toEqual({ status: 200, accepted: 10_000 });
  });
});
