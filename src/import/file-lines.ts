import { createReadStream } from 'node:fs';

/** One line of a text file: its text, its bytes with the line break, and the byte offset just past it (where a resume starts). */
export interface FileLine {
  readonly text: string;
  readonly bytes: Buffer;
  readonly endOffset: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The lines of `path` from byte `start` on, streamed (the file is never loaded whole), each
 * with its exact end offset. Split here on the bytes rather than with node:readline, whose
 * lines do not say how many bytes they and their line break took: the import checkpoint is a
 * byte offset. `\n` and `\r\n` both end a line; a last line without a break is a line too.
 */
export async function* fileLines(path: string, start = 0): AsyncGenerator<FileLine> {
  let offset = start;
  let pending: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, from)) {
      pending.push(chunk.subarray(from, at + 1));
      const bytes = Buffer.concat(pending);
      offset += bytes.length;
      pending = [];
      from = at + 1;
      yield { text: lineText(bytes.subarray(0, bytes.length - 1)), bytes, endOffset: offset };
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
  }
  const rest = Buffer.concat(pending);
  if (rest.length > 0) yield { text: lineText(rest), bytes: rest, endOffset: offset + rest.length };
}

function lineText(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}
