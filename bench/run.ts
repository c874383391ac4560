import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bench } from './harness.js';
import { parseBenchOptions, USAGE } from './options.js';
import { renderTable, type BenchResults } from './report.js';
import { WORKLOADS } from './workloads/index.js';

/**
 * `npm run bench`: every workload of bench/workloads/ against barcast and, where a ratio is
 * asked for, against the raw-ws limit, uWebSockets.js and socket.io, in this one run.
 * Options: see bench/options.ts.
 */
async function main(): Promise<void> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }

  const { quick, workloads, out, servers, tickSchedule, sweep, ingestMinutes, ingestRate } = options;
  const startedAt = new Date();
  const results: BenchResults = {
    mode: quick ? 'quick' : 'full',
    tickSchedule: tickSchedule ?? 'spread',
    startedAt: startedAt.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg() },
    fanout: {},
    details: {},
    tables: [],
    notes: [],
    targets: [],
  };

  const bench = new Bench(servers, tickSchedule, undefined, sweep);
  try {
    for (const workload of WORKLOADS) {
      if (!workload.ids.some((id) => workloads.has(id))) continue;
      const outcome = await workload.run(bench, quick, { ...(ingestMinutes === undefined ? {} : { ingestMinutes }), ...(ingestRate === undefined ? {} : { ingestRate }) });
      Object.assign(results.fanout, outcome.fanout);
      Object.assign(results.details, outcome.details);
      results.tables.push(...(outcome.tables ?? []));
      results.notes.push(...(outcome.notes ?? []));
      results.targets.push(...(outcome.targets ?? []));
    }
  } finally {
    await bench.close();
  }
  results.durationMs = Date.now() - startedAt.getTime();

  const directory = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(directory, { recursive: true });
  writeFileSync(`${directory}${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderTable(results)}\n\n${quick ? 'quick' : 'full'} run took ${Math.round(results.durationMs / 1000)} s; wrote bench/results/${out}.json\n`);
}

await main();
