import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/ensure-test-tools.mjs', import.meta.url));
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A PATH holding only a fake apt-get, which logs its arguments and "installs" by creating
 * the tools as stubs next to itself. /usr/bin/chromium is checked by absolute path, so this
 * machine's copy counts as present.
 */
function fakeAptPath(): string {
  dir = mkdtempSync(join(tmpdir(), 'barcast-apt-'));
  const stub = (name: string, body: string): void => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  stub(
    'apt-get',
    `PATH=/usr/bin:/bin\necho "$DEBIAN_FRONTEND $*" >> "${dir}/apt.log"\ncase "$*" in *install*) for t in redis-server redis-cli prometheus promtool haproxy; do printf '#!/bin/sh\\n' > "${dir}/$t"; chmod 755 "${dir}/$t"; done;; esac`,
  );
  return dir;
}

describe('scripts/ensure-test-tools.mjs (npm pretest)', () => {
  it('passes at once when every tool is there', () => {
    const result = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  const isRoot = process.getuid?.() === 0;
  it.runIf(isRoot)('as root, installs what is missing with apt-get, non-interactively, and passes', () => {
    const path = fakeAptPath();
    const result = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { PATH: path } });
    expect(result.status).toBe(0);
    expect(readFileSync(join(path, 'apt.log'), 'utf8').trim().split('\n')).toEqual([
      'noninteractive update',
      'noninteractive install -y redis-server redis-tools haproxy',
      'noninteractive install -y --no-install-recommends prometheus',
    ]);
  });

  it.runIf(!isRoot)('as another user, stops at once with the exact command to run', () => {
    const result = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { PATH: fakeAptPath() } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('sudo DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools haproxy');
  });
});
