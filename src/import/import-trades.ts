import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RequestError } from '../domain/errors.js';
import type { Resolution } from '../domain/resolution.js';
import type { Trade } from '../domain/trade.js';
import type { ImportCheckpoint, ImportStore } from '../store/import-store.js';
import type { TradeStore } from '../store/trade-store.js';
import { fileLines } from './file-lines.js';
import { rebuildBars } from './rebuild-bars.js';
import { parseTradeCsvHeader, parseTradeCsvLine, type TradeColumns } from './trade-csv.js';

export interface ImportOptions {
  readonly file: string;
  readonly store: TradeStore & ImportStore;
  /** Bars are built for these and for `1`. */
  readonly resolutions: readonly Resolution[];
  /** Trades committed per transaction (and per checkpoint). */
  readonly batchSize?: number;
  /** Stop at the first bad line instead of reporting it and going on. */
  readonly strict?: boolean;
  /** The import's clock: bars are built for periods closed by then. */
  readonly now?: () => number;
  readonly onBadLine?: (line: number, error: RequestError) => void;
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  readonly phase: 'trades' | 'bars';
  /** Bytes of the file read and committed, of `totalBytes`. */
  readonly bytes: number;
  readonly totalBytes: number;
  readonly lines: number;
  readonly bars: number;
}

export interface ImportSummary {
  /** The line the import started after (0: from the top; more: resumed from a checkpoint). */
  readonly resumedAfterLine: number;
  readonly alreadyDone: boolean;
  /** The file had a checkpoint, but its bytes before it changed: imported again from the top. */
  readonly changedSinceCheckpoint: boolean;
  readonly lines: number;
  readonly imported: number;
  readonly duplicates: number;
  readonly badLines: number;
  readonly bars: number;
}

/** A file that cannot be imported at all (no header, or a bad line under `strict`). */
export class ImportError extends Error {
  override readonly name = 'ImportError';
}

export const DEFAULT_IMPORT_BATCH = 5_000;

/**
 * `barcast import`: streams a CSV of trades into the store in batches, each batch committed
 * with the file's checkpoint (the byte offset and line after it, and the SHA-256 of the bytes
 * before it) in one transaction, so an import killed at any point resumes exactly after its
 * last commit, trades without an id included. Then builds the final bars of every period the
 * file touched (rebuild-bars.ts) and marks the file done. A file is known by its path: run
 * again, it resumes after the checkpoint if the bytes before it are unchanged (a file that
 * was only appended to imports just the new lines; one whose bad line after the checkpoint was
 * fixed, from there), and is imported from the top if they changed (trade ids then make its
 * repeated trades duplicates).
 */
export async function importTrades(options: ImportOptions): Promise<ImportSummary> {
  const path = resolve(options.file);
  const info = await stat(path);
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH;
  const { checkpoint: start, hash, changed } = await resumePoint(path, info.size, await options.store.importCheckpoint(path));
  const summary = { resumedAfterLine: start.line, alreadyDone: false, changedSinceCheckpoint: changed, lines: 0, imported: 0, duplicates: 0, badLines: 0, bars: 0 };
  if (start.done) return { ...summary, alreadyDone: true };

  const columns = await headerOf(path);
  let checkpoint = start;
  const progress = (phase: ImportProgress['phase']) =>
    options.onProgress?.({ phase, bytes: checkpoint.offset, totalBytes: info.size, lines: checkpoint.line, bars: summary.bars });

  let batch: Trade[] = [];
  const ranges = new Map<string, [number, number]>(Object.entries(checkpoint.ranges).map(([symbol, [from, to]]) => [symbol, [from, to]]));
  const commit = async (offset: number, line: number) => {
    const spans = Object.fromEntries([...ranges].map(([symbol, [from, to]]) => [symbol, [from, to] as const]));
    checkpoint = { offset, line, done: false, ranges: spans, prefixSha256: hash.copy().digest('hex') };
    const inserted = await options.store.appendImportBatch(path, batch, checkpoint);
    const fresh = inserted.filter(Boolean).length;
    summary.imported += fresh;
    summary.duplicates += inserted.length - fresh;
    batch = [];
    progress('trades');
  };

  let line = checkpoint.line;
  let offset = checkpoint.offset;
  for await (const next of fileLines(path, checkpoint.offset)) {
    line += 1;
    offset = next.endOffset;
    hash.update(next.bytes);
    if (line === 1 || next.text.trim() === '') continue; // the header; blank lines carry nothing
    summary.lines += 1;
    const parsed = parseTradeCsvLine(next.text, columns);
    if (!parsed.ok) {
      summary.badLines += 1;
      options.onBadLine?.(line, parsed.error);
      if (options.strict) {
        throw new ImportError(
          `line ${line}: ${parsed.error.code}: ${parsed.error.message} (stopped by --strict; lines 1-${checkpoint.line} are committed: fix the line and run again to resume after them)`,
        );
      }
      continue;
    }
    batch.push(parsed.trade);
    widen(ranges, parsed.trade);
    if (batch.length >= batchSize) await commit(offset, line);
  }
  if (batch.length > 0 || offset !== checkpoint.offset) await commit(offset, line);

  progress('bars');
  const closedBy = (options.now ?? Date.now)();
  for (const [symbol, [from, to]] of ranges) {
    const before = summary.bars;
    const onProgress = (bars: number) => {
      summary.bars = before + bars;
      progress('bars');
    };
    summary.bars = before + (await rebuildBars({ symbol, from, to }, { store: options.store, resolutions: options.resolutions, closedBy, onProgress }));
  }
  await options.store.saveImportCheckpoint(path, { ...checkpoint, done: true });
  return summary;
}

const FRESH: ImportCheckpoint = { offset: 0, line: 0, done: false, ranges: {}, prefixSha256: '' };
const NEWLINE = 0x0a;

/**
 * Where to start: after the saved checkpoint when the file's bytes before it hash to the
 * saved digest (and it ends a line, so a grown file is not resumed mid-line), else from the
 * top. `hash` has read the bytes before the start, ready to go on. A file done and not grown
 * since answers done; one grown since resumes with no spans (only the new lines' bars are
 * rebuilt).
 */
async function resumePoint(path: string, size: number, saved: ImportCheckpoint | undefined): Promise<{ checkpoint: ImportCheckpoint; hash: Hash; changed: boolean }> {
  if (!saved || saved.offset === 0) return { checkpoint: FRESH, hash: createHash('sha256'), changed: false };
  const hash = createHash('sha256');
  let last: number | undefined;
  if (saved.offset <= size) {
    for await (const chunk of createReadStream(path, { start: 0, end: saved.offset - 1 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      last = chunk[chunk.length - 1];
    }
  }
  const intact = saved.offset <= size && hash.copy().digest('hex') === saved.prefixSha256 && (last === NEWLINE || saved.offset === size);
  if (!intact) return { checkpoint: FRESH, hash: createHash('sha256'), changed: true };
  if (!saved.done) return { checkpoint: saved, hash, changed: false };
  return { checkpoint: saved.offset === size ? saved : { ...saved, done: false, ranges: {} }, hash, changed: false };
}

async function headerOf(path: string): Promise<TradeColumns> {
  for await (const first of fileLines(path)) {
    const header = parseTradeCsvHeader(first.text);
    if (!header.ok) throw new ImportError(`line 1: ${header.reason}`);
    return header.columns;
  }
  throw new ImportError('the file is empty: it needs a header line symbol,price,size,time[,id]');
}

/** The time span of each symbol's imported trades, widened by one more. */
function widen(ranges: Map<string, [number, number]>, trade: Trade): void {
  const range = ranges.get(trade.symbol);
  if (!range) {
    ranges.set(trade.symbol, [trade.time, trade.time]);
    return;
  }
  if (trade.time < range[0]) range[0] = trade.time;
  if (trade.time > range[1]) range[1] = trade.time;
}
