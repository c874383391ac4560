import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stdoutLogSink } from '../src/log-sink.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function tempFile(): { path: string; fd: number } {
  const directory = mkdtempSync(join(tmpdir(), 'barcast-log-'));
  directories.push(directory);
  const path = join(directory, 'out.log');
  return { path, fd: openSync(path, 'w') };
}

describe('stdoutLogSink', () => {
  it('writes every line in order and drains', async () => {
    const { path, fd } = tempFile();
    const sink = stdoutLogSink({ fd });
    for (let index = 0; index < 100; index += 1) sink.write(`line ${index}\n`);
    expect(await sink.drain(1_000)).toBe(true);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(Array.from({ length: 100 }, (_, index) => `line ${index}\n`).join(''));
  });

  it('turns logging off after a failed write and says so once', async () => {
    const { fd } = tempFile();
    closeSync(fd); // EBADF on the first write
    const notices: string[] = [];
    const sink = stdoutLogSink({ fd, notice: (message) => notices.push(message) });
    sink.write('one\n');
    expect(await sink.drain(1_000)).toBe(true);
    sink.write('two\n');
    expect(sink.lost).toBe(true);
    expect(notices).toEqual([expect.stringContaining('logging to stdout failed (EBADF)')]);
  });

  it('drops lines past its buffer instead of growing, says so once, and keeps the rest', async () => {
    const { path, fd } = tempFile();
    const notices: string[] = [];
    const sink = stdoutLogSink({ fd, maxBufferBytes: 8, notice: (message) => notices.push(message) });
    sink.write('first\n'); // in flight
    sink.write('second\n'); // queued (7 bytes)
    sink.write('third\n'); // over 8 bytes queued: dropped
    sink.write('fourth\n'); // dropped too, no second notice
    expect(await sink.drain(1_000)).toBe(true);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n');
    expect(notices).toEqual([expect.stringContaining('log lines are being dropped')]);
  });

  it('writes synchronously once asked (the last line before a crash exit)', () => {
    const { path, fd } = tempFile();
    const sink = stdoutLogSink({ fd });
    sink.writeSynchronously();
    sink.write('fatal\n');
    expect(readFileSync(path, 'utf8')).toBe('fatal\n');
    closeSync(fd);
    sink.write('after close\n'); // EBADF: lost, not thrown
    expect(sink.lost).toBe(true);
  });
});
