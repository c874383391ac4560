#!/usr/bin/env node
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig } from './config/load.js';
import { ImportError, importTrades, type ImportProgress } from './import/import-trades.js';
import { TRADE_CSV_COLUMNS } from './import/trade-csv.js';
import { openTradeStore } from './store/open-trade-store.js';

/** Exit codes (docs/operations.md, "Importing trades"). */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_BAD_LINES = 2;
const EXIT_INTERRUPTED = 130;
/** Bad lines printed one by one; past this, only counted. */
const MAX_REPORTED_LINES = 100;

const USAGE = `usage: barcast import FILE.csv [--strict] [--batch-size N]

Imports trades from a CSV file into the trade store (DATA_DIR or DATABASE_URL, as the server
uses them) and builds their bars. The first line names the columns: ${TRADE_CSV_COLUMNS.slice(0, 4).join(',')}[,id].
time is epoch milliseconds or an ISO 8601 date-time with a zone. Interrupted, it resumes
where it stopped when run again on the same file.

  --strict         stop at the first bad line (default: report it and go on)
  --batch-size N   trades per commit (default 5000)
`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { strict: { type: 'boolean', default: false }, 'batch-size': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [command, file, ...extra] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return values.help ? EXIT_OK : EXIT_FAILED;
  }
  if (command !== 'import' || file === undefined || extra.length > 0) {
    process.stderr.write(`barcast: ${command === 'import' ? 'import takes one FILE' : `unknown command ${JSON.stringify(command)}`}\n\n${USAGE}`);
    return EXIT_FAILED;
  }
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1 && batchSize <= 1_000_000)) {
    process.stderr.write('barcast: --batch-size must be a whole number from 1 to 1000000\n');
    return EXIT_FAILED;
  }

  const config = loadConfig();
  const store = await openTradeStore(config.store);
  const bar = process.stderr.isTTY ? progressBar() : undefined;
  const say = (text: string) => (bar ? bar.log(text) : process.stderr.write(text));
  let reported = 0;
  process.once('SIGINT', () => {
    bar?.stop();
    process.stderr.write('\nbarcast: interrupted; every committed batch is kept: run the same command again to resume\n');
    process.exit(EXIT_INTERRUPTED);
  });
  try {
    const summary = await importTrades({
      file,
      store,
      resolutions: config.broadcaster.resolutions,
      strict: values.strict,
      ...(batchSize === undefined ? {} : { batchSize }),
      onBadLine: (line, error) => {
        reported += 1;
        if (reported <= MAX_REPORTED_LINES) say(`line ${line}: ${error.code}: ${error.message}\n`);
      },
      onProgress: (progress) => bar?.update(progress),
    });
    bar?.stop();
    if (summary.alreadyDone) {
      process.stderr.write(`${file}: imported already, and unchanged since; nothing to do\n`);
      return EXIT_OK;
    }
    if (summary.changedSinceCheckpoint) {
      process.stderr.write(`${file}: changed before the point its last import reached: imported again from the top (trades with an id count as duplicates)\n`);
    }
    if (reported > MAX_REPORTED_LINES) process.stderr.write(`... and ${reported - MAX_REPORTED_LINES} more bad lines\n`);
    const resumed = summary.resumedAfterLine > 0 ? `resumed after line ${summary.resumedAfterLine}; ` : '';
    process.stderr.write(
      `${file}: ${resumed}${summary.lines} lines read, ${summary.imported} trades imported, ${summary.duplicates} duplicates, ` +
        `${summary.badLines} bad lines skipped; ${summary.bars} bars built\n`,
    );
    return summary.badLines > 0 ? EXIT_BAD_LINES : EXIT_OK;
  } finally {
    bar?.stop();
    await store.close();
  }
}

/** A progress bar on a terminal: bytes of the file committed, then bars built. */
function progressBar() {
  const bars = new cliProgress.MultiBar(
    { format: ' {phase} [{bar}] {percentage}% | {lines} lines | {bars} bars | {eta_formatted} left', hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(progress: ImportProgress) {
      const payload = { phase: progress.phase === 'trades' ? 'importing' : 'building bars', lines: progress.lines, bars: progress.bars };
      bar ??= bars.create(Math.max(progress.totalBytes, 1), 0, payload);
      bar.update(progress.bytes, payload);
    },
    log(text: string) {
      bars.log(text);
    },
    stop() {
      bars.stop();
    },
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof ImportError || error instanceof ConfigError || (error as { code?: unknown } | null)?.code === 'ENOENT';
    process.stderr.write(`barcast: ${known ? '' : 'import failed: '}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILED;
  },
);
