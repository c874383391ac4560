import { parseArgs } from 'node:util';
import { TICK_SCHEDULES, type TickSchedule } from '../src/domain/tick-phase.js';
import type { ServerKind } from './ipc.js';
import { WORKLOADS } from './workloads/index.js';

const WORKLOAD_IDS = WORKLOADS.flatMap((workload) => workload.ids);
export const ALL_SERVERS: readonly ServerKind[] = ['raw', 'uws', 'socketio', 'barcast', 'barcast-uws'];

export interface BenchOptions {
  readonly quick: boolean;
  readonly workloads: ReadonlySet<string>;
  readonly servers: readonly ServerKind[];
  readonly tickSchedule: TickSchedule | undefined;
  /** Results go to bench/results/<out>.json. */
  readonly out: string;
  /** `--sweep-connections`, `--sweep-topics`: only these points of the sweep (e.g. one point, measured again and again). */
  readonly sweep: SweepPoints;
  /** `--ingest-minutes`: T3's measured stretch (the issue's one-hour soak is `--ingest-minutes 60`). */
  readonly ingestMinutes: number | undefined;
  /** `--ingest-rate`: T3's trades per second (default 50,000). */
  readonly ingestRate: number | undefined;
}

/** Which points of the sweep to run instead of its full (or quick) set; each list is optional. */
export interface SweepPoints {
  readonly connections?: readonly (number | 'max')[];
  readonly topicsPerClient?: readonly number[];
}

export const USAGE = `usage: npm run bench -- [--quick] [--only ${WORKLOAD_IDS.join(',')}] [--servers raw,uws,socketio,barcast,barcast-uws]
                     [--schedule ${TICK_SCHEDULES.join('|')}] [--out NAME]
                     [--sweep-connections 5000,max] [--sweep-topics 16]   (only those points of SWEEP)
                     [--ingest-minutes M] [--ingest-rate TRADES_PER_S]     (T3's length and rate)`;

/** The command line, validated: anything unknown is an error that says what is allowed. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      servers: { type: 'string' },
      schedule: { type: 'string' },
      out: { type: 'string', default: 'latest' },
      'sweep-connections': { type: 'string' },
      'sweep-topics': { type: 'string' },
      'ingest-minutes': { type: 'string' },
      'ingest-rate': { type: 'string' },
    },
  });
  const workloads = listOf(values.only, WORKLOAD_IDS, 'workload');
  const servers = listOf(values.servers, ALL_SERVERS, 'server');
  const schedule = values.schedule;
  if (schedule !== undefined && !(TICK_SCHEDULES as readonly string[]).includes(schedule)) {
    throw new Error(`unknown --schedule ${schedule}; one of ${TICK_SCHEDULES.join(', ')}`);
  }
  if (!/^[\w-]{1,64}$/.test(values.out)) throw new Error('--out takes a name of letters, digits, "_" and "-"');
  const connections = values['sweep-connections']?.split(',').map((item) => (item.trim() === 'max' ? 'max' : positive(item, '--sweep-connections')));
  const topicsPerClient = values['sweep-topics']?.split(',').map((item) => positive(item, '--sweep-topics'));
  const sweep: SweepPoints = { ...(connections ? { connections } : {}), ...(topicsPerClient ? { topicsPerClient } : {}) };
  const ingestMinutes = values['ingest-minutes'] === undefined ? undefined : Number(values['ingest-minutes']);
  if (ingestMinutes !== undefined && !(ingestMinutes > 0 && ingestMinutes <= 24 * 60)) throw new Error('--ingest-minutes takes a number of minutes above 0, up to 1440 (0.5 is 30 s)');
  const ingestRate = values['ingest-rate'] === undefined ? undefined : Number(values['ingest-rate']);
  if (ingestRate !== undefined && !(Number.isInteger(ingestRate) && ingestRate > 0 && ingestRate <= 1_000_000)) throw new Error('--ingest-rate takes whole trades per second, 1-1000000');
  return { quick: values.quick, workloads: new Set(workloads), servers, tickSchedule: schedule as TickSchedule | undefined, out: values.out, sweep, ingestMinutes, ingestRate };
}

function positive(item: string, flag: string): number {
  const value = Number(item.trim());
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} takes positive whole numbers (or max), not ${item}`);
  return value;
}

function listOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  if (value === undefined) return [...allowed];
  const items = value.split(',').map((item) => item.trim());
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0 || items.length === 0) throw new Error(`unknown ${what}(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  return items as T[];
}
