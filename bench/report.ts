import type { ServerKind } from './ipc.js';
import type { LatencySummary } from './stats.js';

export interface FanoutResult {
  readonly server: ServerKind;
  readonly connections: number;
  readonly deliveredPerSecond: number;
  readonly cpuUsPerMessage: number;
  /** Server CPU time over wall time: 1 is one core busy. */
  readonly cpuCoreShare: number;
  /** Share of the window the server's event loop was busy (1: never waiting for work). */
  readonly loopUtilization: number;
  readonly latency: LatencySummary;
  readonly rssPerConnection: number;
  readonly heapPerConnection: number;
  /**
   * RSS per connection as a client outside the process sees it: at the end of the window,
   * before the forced GCs (garbage and a grown young generation included), against the same
   * empty process. In the JSON only; `rssPerConnection` is what the tables compare.
   */
  readonly rssPerConnectionUnforced?: number;
  /**
   * Per connection, after the forced GCs: the JS heap committed (live objects, free space in
   * its pages, the young generation) and of it the young generation alone, which V8 grows
   * under a high allocation rate whatever the connection count. In the JSON only.
   */
  readonly heapCommittedPerConnection?: number;
  readonly newSpacePerConnection?: number;
  /** With several rounds: every round's throughput, ascending (the row is the median's). */
  readonly roundsDeliveredPerSecond?: readonly number[];
}

export interface TargetCheck {
  readonly workload: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** A table a workload prints under the main one; the first row is the header. */
export interface ReportTable {
  readonly title: string;
  readonly rows: readonly (readonly string[])[];
}

export interface BenchResults {
  readonly mode: 'quick' | 'full';
  /** barcast's fanout.tickSchedule in this run. */
  readonly tickSchedule: string;
  readonly startedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly loadAverage: readonly number[] };
  /** Fan-out rows by workload id (W1, W2, ...), one per server. */
  readonly fanout: Record<string, readonly FanoutResult[]>;
  /** Each workload's other measurements, by id. */
  readonly details: Record<string, unknown>;
  readonly tables: ReportTable[];
  readonly notes: string[];
  readonly targets: TargetCheck[];
  durationMs?: number;
}

/** Servers in the order the tables list them; ratios are taken against the first three. */
export const PEERS: readonly ServerKind[] = ['raw', 'uws', 'socketio'];

/** barcast's own rows: on its default ws engine, and on its uWebSockets.js engine. */
export const OURS: readonly ServerKind[] = ['barcast', 'barcast-uws'];

export const rowOf = (results: readonly FanoutResult[] | undefined, server: ServerKind): FanoutResult | undefined =>
  results?.find((result) => result.server === server);

export const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/**
 * Targets on barcast's row against a peer's in the same run: `metric(barcast) / metric(peer)`
 * compared with `limit` (at least it when `higher` is better, at most it otherwise).
 */
export function ratioTarget(
  workload: string,
  rows: readonly FanoutResult[],
  peer: ServerKind,
  name: string,
  metric: (row: FanoutResult) => number,
  better: 'higher' | 'lower',
  limit: number,
  server: ServerKind = 'barcast',
): TargetCheck[] {
  const [ours, theirs] = [rowOf(rows, server), rowOf(rows, peer)];
  if (!ours || !theirs) return [];
  const ratio = metric(ours) / metric(theirs);
  const met = better === 'higher' ? ratio >= limit : ratio <= limit;
  const who = server === 'barcast' ? '' : `${server}: `;
  return [{ workload, target: `${who}${name} ${better === 'higher' ? '>=' : '<='} ${limit}x ${peerName(peer)}`, measured: `${fixed(ratio)}x`, met }];
}

export function absoluteTarget(workload: string, target: string, value: number, met: boolean, unit: string): TargetCheck {
  return { workload, target, measured: `${fixed(value)}${unit}`, met };
}

const peerName = (server: ServerKind): string => ({ raw: 'raw', uws: 'uWS', socketio: 'socket.io', barcast: 'barcast', 'barcast-uws': 'barcast-uws' })[server];

const ratioCell = (value: number, peer: number | undefined): string => (peer === undefined ? 'n/a' : fixed(value / peer));

const HEADER = ['workload', 'server', 'conns', 'msgs/s', 'x raw', 'x uws', 'cpu us/msg', 'x raw', 'x uws', 'lat p50/p99/p99.9 ms', 'rss KB/conn', 'heap KB/conn'];

function fanoutRows(results: BenchResults): string[][] {
  return Object.entries(results.fanout).flatMap(([workload, rows]) => {
    const [raw, uws] = [rowOf(rows, 'raw'), rowOf(rows, 'uws')];
    return rows.map((row) => [
      workload,
      row.server,
      String(row.connections),
      fixed(row.deliveredPerSecond, 0),
      ratioCell(row.deliveredPerSecond, raw?.deliveredPerSecond),
      ratioCell(row.deliveredPerSecond, uws?.deliveredPerSecond),
      fixed(row.cpuUsPerMessage),
      ratioCell(row.cpuUsPerMessage, raw?.cpuUsPerMessage),
      ratioCell(row.cpuUsPerMessage, uws?.cpuUsPerMessage),
      `${fixed(row.latency.p50, 0)}/${fixed(row.latency.p99, 0)}/${fixed(row.latency.p999, 0)}`,
      fixed(row.rssPerConnection / 1024, 1),
      fixed(row.heapPerConnection / 1024, 1),
    ]);
  });
}

/** barcast's measure divided by each peer's, per workload: above 1 is more (msgs/s) or more costly (the rest). */
function peerRatioTable(results: BenchResults): ReportTable {
  const header = ['workload', 'ours / peer', 'msgs/s', 'cpu/msg', 'p99', 'rss/conn', 'heap/conn'];
  const rows = Object.entries(results.fanout).flatMap(([workload, rows]) => OURS.flatMap((server) => {
    const ours = rowOf(rows, server);
    if (!ours) return [];
    return PEERS.flatMap((peer) => {
      const theirs = rowOf(rows, peer);
      if (!theirs) return [];
      return [[
        workload,
        `${server} / ${peerName(peer)}`,
        fixed(ours.deliveredPerSecond / theirs.deliveredPerSecond),
        fixed(ours.cpuUsPerMessage / theirs.cpuUsPerMessage),
        fixed(ours.latency.p99 / theirs.latency.p99),
        fixed(ours.rssPerConnection / theirs.rssPerConnection),
        fixed(ours.heapPerConnection / theirs.heapPerConnection),
      ]];
    });
  }));
  return { title: 'barcast (on each engine) against each peer, same run (ratio ours / peer)', rows: [header, ...rows] };
}

function allTables(results: BenchResults): ReportTable[] {
  const checks = results.targets.map((check) => [check.workload, check.target, check.measured, check.met ? 'yes' : 'no']);
  return [
    { title: '', rows: [HEADER, ...fanoutRows(results)] },
    peerRatioTable(results),
    ...results.tables,
    { title: 'targets', rows: [['workload', 'target', 'measured', 'met'], ...checks] },
  ];
}

function pad(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n');
}

/** The same report as Markdown tables, for docs/performance.md (`npm run bench:markdown`). */
export function renderMarkdown(results: BenchResults): string {
  const table = ({ title, rows }: ReportTable): string => {
    const lines = rows.map((row, index) => `| ${row.join(' | ')} |${index === 0 ? `\n|${row.map(() => '---').join('|')}|` : ''}`);
    return [...(title ? [`**${title}**`, ''] : []), ...lines].join('\n');
  };
  const [main, ...rest] = allTables(results);
  const notes = results.notes.map((line) => `- ${line}`);
  return [table(main!), '', ...notes, '', ...rest.flatMap((one) => [table(one), ''])].join('\n').trimEnd();
}

/** The printed report: one row per workload and server with ratios to raw and uWS, then the other tables and the targets. */
export function renderTable(results: BenchResults): string {
  const { mode, tickSchedule, machine } = results;
  const [main, ...rest] = allTables(results);
  const lines = [`barcast bench (${mode}, barcast ticks ${tickSchedule}), ${machine.cpus} cpus, node ${machine.node}`, '', pad(main!.rows)];
  lines.push('', ...results.notes);
  for (const table of rest) lines.push('', `${table.title}:`, pad(table.rows));
  return lines.join('\n');
}
