import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileLines, type FileLine } from '../../src/import/file-lines.js';

async function all(path: string, start = 0): Promise<FileLine[]> {
  const lines: FileLine[] = [];
  for await (const line of fileLines(path, start)) lines.push(line);
  return lines;
}

describe('fileLines', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'barcast-lines-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('yields each line with the byte offset past its break, for \\n, \\r\\n and a last line without one', async () => {
    const file = join(dir, 'a.csv');
    writeFileSync(file, 'ab\r\n\nü€\nlast');
    expect(await all(file)).toEqual([
      { text: 'ab', bytes: Buffer.from('ab\r\n'), endOffset: 4 },
      { text: '', bytes: Buffer.from('\n'), endOffset: 5 },
      { text: 'ü€', bytes: Buffer.from('ü€\n'), endOffset: 11 },
      { text: 'last', bytes: Buffer.from('last'), endOffset: 15 },
    ]);
  });

  it('resumes at an end offset with exactly the lines after it', async () => {
    const file = join(dir, 'b.csv');
    writeFileSync(file, 'one\ntwo\nthree\n');
    expect((await all(file, 4)).map(({ text, endOffset }) => ({ text, endOffset }))).toEqual([
      { text: 'two', endOffset: 8 },
      { text: 'three', endOffset: 14 },
    ]);
    expect(await all(file, 14)).toEqual([]);
  });

  it('keeps multi-byte characters and offsets exact across read chunks', async () => {
    const file = join(dir, 'c.csv');
    const lines = Array.from({ length: 30_000 }, (_, i) => `${i},€ü💹,${'x'.repeat(i % 7)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const read = await all(file);
    expect(read.map((line) => line.text)).toEqual(lines);
    expect(Buffer.concat(read.map((line) => line.bytes)).toString()).toBe(`${lines.join('\n')}\n`);
    const middle = read[12_345];
    expect(middle).toBeDefined();
    expect((await all(file, middle?.endOffset)).map((line) => line.text)).toEqual(lines.slice(12_346));
  });
});
