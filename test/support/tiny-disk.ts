import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounting a tmpfs needs root (CI and the development container run as root); elsewhere the tests that need one are skipped. */
export const canMountTmpfs = process.getuid?.() === 0;

/** A real, tiny file system: a tmpfs of `size` (e.g. `4m`) mounted on a new folder named with `prefix`. */
export function mountTinyDisk(prefix: string, size = '4m'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) throw new Error(`cannot mount a tmpfs as root: ${mount.stderr}`);
  return dir;
}

/**
 * Unmounts and removes it. Lazily: the SQLite driver lets go of a closed database's files only
 * once its statements are garbage collected, so the mount may still be in use; -l detaches it.
 */
export function unmountTinyDisk(dir: string): void {
  spawnSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Fills the file system under `dir` to the last byte with one file; returns its path (unlink it to free the space). */
export function fillDisk(dir: string): string {
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
