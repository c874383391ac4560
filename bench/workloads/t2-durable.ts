import { progress } from '../harness.js';
import { absoluteTarget, fixed, type ReportTable } from '../report.js';
import { ALL_RESOLUTIONS } from '../trade-feed.js';
import { appendThroughput, ingestThroughput, postgresStore, temporarySqlite, type DurableFigure, type ThroughputSize } from '../trade-throughput.js';
import { defineWorkload } from '../workload.js';
import { postgresBinDir, startPostgresServer } from '../../test/support/postgres-server.js';

/** Issue 21: trades per second durable in SQLite with batched commits, on one core. */
export const T2_TARGET_PER_SECOND = 100_000;

/**
 * T2, durable trades: trades per second into a fresh SQLite file (WAL, INGEST_SYNC normal and
 * full) through appendTrades alone (batches of 5,000, the store's ceiling), through the
 * ingest (parse, admit, group commit, ack after commit), and through the ingest with the
 * TradeAggregator at all nine resolutions folding what it commits: the whole pipeline of a
 * server minus its sockets, which the target is on. PostgreSQL too when its binaries are
 * installed (the test support's throwaway server: fsync off, so not durable across an OS crash).
 */
export const durable = defineWorkload({
  ids: ['T2'],
  full: { warmupMs: 1_000, measureMs: 5_000 },
  quick: { warmupMs: 300, measureMs: 1_500 },
  async run(_bench, size) {
    progress('T2 durable trades (SQLite)');
    const figures: DurableFigure[] = [];
    for (const sync of ['normal', 'full'] as const) {
      figures.push(...(await onSqlite(size, sync)));
    }
    const notes: string[] = [];
    if (postgresBinDir()) {
      progress('T2 durable trades (PostgreSQL)');
      figures.push(...(await onPostgres(size)));
    } else {
      notes.push('T2: PostgreSQL skipped (no /usr/lib/postgresql/*/bin/initdb)');
    }
    const pipeline = figures.find((figure) => figure.what.startsWith('SQLite normal: ingest + aggregation'))!;
    const table: ReportTable = {
      title: 'T2 durable trades (one process: ingest, store, aggregation)',
      rows: [
        ['what', 'trades/s (wall)', 'trades per cpu-s', 'cpu us/trade', 'commits/s'],
        ...figures.map((figure) => [figure.what, fixed(figure.tradesPerSecond, 0), fixed(figure.perCpuSecond, 0), fixed(figure.cpuUsPerTrade, 2), fixed(figure.commitsPerSecond, 1)]),
      ],
    };
    return {
      details: { T2: { ...size, figures } },
      tables: [table],
      notes,
      // Per CPU-second, as T1: one core's worth. SQLite's commit waits (fsync) are not CPU, so
      // the wall-clock figure beside it is what a core that waits for its disk does.
      targets: [absoluteTarget('T2', `trades durable in SQLite per cpu-second (ingest + group commit + aggregation) >= ${T2_TARGET_PER_SECOND.toLocaleString('en')}`, pipeline.perCpuSecond, pipeline.perCpuSecond >= T2_TARGET_PER_SECOND, '/s')],
    };
  },
});

async function onSqlite(size: ThroughputSize, sync: 'normal' | 'full'): Promise<DurableFigure[]> {
  const figures: DurableFigure[] = [];
  for (const step of [
    (store: Parameters<typeof appendThroughput>[1]) => appendThroughput(size, store, `SQLite ${sync}: appendTrades, batches of 5000`),
    (store: Parameters<typeof appendThroughput>[1]) => ingestThroughput(size, store, undefined, `SQLite ${sync}: ingest (group commit)`),
    (store: Parameters<typeof appendThroughput>[1]) => ingestThroughput(size, store, ALL_RESOLUTIONS, `SQLite ${sync}: ingest + aggregation (9 resolutions)`),
  ]) {
    const sqlite = temporarySqlite(sync);
    try {
      figures.push(await step(sqlite.store));
    } finally {
      await sqlite.dispose();
    }
  }
  return figures;
}

async function onPostgres(size: ThroughputSize): Promise<DurableFigure[]> {
  const server = await startPostgresServer();
  try {
    const figures: DurableFigure[] = [];
    for (const [what, run] of [
      ['PostgreSQL: appendTrades, batches of 5000', (store: Parameters<typeof appendThroughput>[1], name: string) => appendThroughput(size, store, name)],
      ['PostgreSQL: ingest + aggregation (9 resolutions)', (store: Parameters<typeof appendThroughput>[1], name: string) => ingestThroughput(size, store, ALL_RESOLUTIONS, name)],
    ] as const) {
      const store = await postgresStore(await server.createDatabase());
      try {
        figures.push(await run(store, what));
      } finally {
        await store.close();
      }
    }
    return figures;
  } finally {
    await server.dispose();
  }
}
