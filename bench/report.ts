import type { ServerKind } from './ipc.js';
import type { ClusterWorkloadResult } from './cluster-workload.js';
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
  /** With several rounds: every round's throughput, ascending (the row is the median's). */
  readonly roundsDeliveredPerSecond?: readonly number[];
}

export interface ChurnResult {
  readonly cycles: number;
  readonly cyclesPerSecond: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly activeTopicsAfter: number;
}

export interface IdleResult {
  readonly idleMs: number;
  readonly cpuCoreShare: number;
  /** Active Timeout handles while idle, and right after start before any client. */
  readonly timers: number;
  readonly baselineTimers: number;
  readonly activeTopics: number;
}

export interface BenchResults {
  readonly mode: 'quick' | 'full';
  /** barcast's fanout.tickSchedule in this run. */
  readonly tickSchedule: string;
  readonly startedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly loadAverage: readonly number[] };
  w1?: readonly FanoutResult[];
  w2?: readonly FanoutResult[];
  w3?: readonly FanoutResult[];
  w4?: ChurnResult;
  w5?: IdleResult;
  w6?: readonly FanoutResult[];
  w7?: ClusterWorkloadResult;
  durationMs?: number;
}

export interface TargetCheck {
  readonly workload: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const of = (results: readonly FanoutResult[] | undefined, server: ServerKind): FanoutResult | undefined =>
  results?.find((result) => result.server === server);

const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ratio = (a: number, b: number): number => a / b;

/** Every target of the issue, checked against one run. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (workload: string, target: string, value: number, met: boolean, unit = 'x'): void => {
    checks.push({ workload, target, measured: `${fixed(value)}${unit}`, met });
  };
  const [w1raw, w1sio, w1bar] = [of(results.w1, 'raw'), of(results.w1, 'socketio'), of(results.w1, 'barcast')];
  if (w1raw && w1bar) {
    const throughput = ratio(w1bar.deliveredPerSecond, w1raw.deliveredPerSecond);
    add('W1', 'msgs/s >= 0.9x raw', throughput, throughput >= 0.9);
    const cpu = ratio(w1bar.cpuUsPerMessage, w1raw.cpuUsPerMessage);
    add('W1', 'CPU/msg <= 1.15x raw', cpu, cpu <= 1.15);
  }
  if (w1sio && w1bar) {
    const versus = ratio(w1bar.deliveredPerSecond, w1sio.deliveredPerSecond);
    add('W1', 'msgs/s >= 1.5x socket.io', versus, versus >= 1.5);
  }
  const [w2raw, w2bar] = [of(results.w2, 'raw'), of(results.w2, 'barcast')];
  if (w2raw && w2bar) {
    add('W2', 'p99 <= raw p99', ratio(w2bar.latency.p99, w2raw.latency.p99), w2bar.latency.p99 <= w2raw.latency.p99);
    add('W2', 'p99.9 <= raw p99.9', ratio(w2bar.latency.p999, w2raw.latency.p999), w2bar.latency.p999 <= w2raw.latency.p999);
  }
  if (w2bar) add('W2', 'p99 <= 5 ms', w2bar.latency.p99, w2bar.latency.p99 <= 5, ' ms');
  const [w3raw, w3bar] = [of(results.w3, 'raw'), of(results.w3, 'barcast')];
  if (w3raw && w3bar) {
    const rss = ratio(w3bar.rssPerConnection, w3raw.rssPerConnection);
    add('W3', 'RSS/conn <= 1.2x raw', rss, rss <= 1.2);
    const heap = ratio(w3bar.heapPerConnection, w3raw.heapPerConnection);
    add('W3', 'heap/conn <= 1.2x raw', heap, heap <= 1.2);
  }
  if (results.w4) {
    const growth = (results.w4.heapAfter - results.w4.heapBefore) / 1_048_576;
    add('W4', 'heap growth <= 2 MB', growth, growth <= 2, ' MB');
    add('W4', 'no topic left running', results.w4.activeTopicsAfter, results.w4.activeTopicsAfter === 0, ' topics');
  }
  if (results.w5) {
    const topicTimers = results.w5.timers - results.w5.baselineTimers;
    add('W5', 'zero topic timers', topicTimers, topicTimers <= 0 && results.w5.activeTopics === 0, ' timers');
    add('W5', 'CPU < 1% of a core', results.w5.cpuCoreShare * 100, results.w5.cpuCoreShare < 0.01, ' %');
  }
  const [w6raw, w6bar] = [of(results.w6, 'raw'), of(results.w6, 'barcast')];
  if (w6raw && w6bar) {
    const cpu = ratio(w6bar.cpuUsPerMessage, w6raw.cpuUsPerMessage);
    add('W6', 'CPU/update <= 0.6x raw', cpu, cpu <= 0.6);
  }
  return checks;
}

function pad(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n');
}

function fanoutRows(label: string, results: readonly FanoutResult[] | undefined): string[][] {
  if (!results) return [];
  const raw = of(results, 'raw');
  return results.map((result) => [
    label,
    result.server,
    String(result.connections),
    fixed(result.deliveredPerSecond, 0),
    raw ? fixed(result.deliveredPerSecond / raw.deliveredPerSecond) : 'n/a',
    fixed(result.cpuUsPerMessage),
    raw ? fixed(result.cpuUsPerMessage / raw.cpuUsPerMessage) : 'n/a',
    `${fixed(result.latency.p50, 0)}/${fixed(result.latency.p99, 0)}/${fixed(result.latency.p999, 0)}`,
    fixed(result.rssPerConnection / 1024, 1),
    fixed(result.heapPerConnection / 1024, 1),
  ]);
}

const HEADER = ['workload', 'server', 'conns', 'msgs/s', 'x raw', 'cpu us/msg', 'x raw', 'lat p50/p99/p99.9 ms', 'rss KB/conn', 'heap KB/conn'];

function allFanoutRows(results: BenchResults): string[][] {
  return [...fanoutRows('W1', results.w1), ...fanoutRows('W2', results.w2), ...fanoutRows('W3', results.w3), ...fanoutRows('W6', results.w6)];
}

function churnAndIdleLines(results: BenchResults): string[] {
  const lines: string[] = [];
  if (results.w4) {
    const { cycles, cyclesPerSecond, heapBefore, heapAfter, activeTopicsAfter } = results.w4;
    lines.push(`W4 churn: ${cycles} cycles at ${fixed(cyclesPerSecond, 0)}/s; heap after GC ${fixed(heapBefore / 1_048_576)} -> ${fixed(heapAfter / 1_048_576)} MB; active topics after: ${activeTopicsAfter}`);
  }
  if (results.w5) {
    const { idleMs, cpuCoreShare, timers, baselineTimers, activeTopics } = results.w5;
    lines.push(`W5 idle ${idleMs} ms: CPU ${fixed(cpuCoreShare * 100, 3)}% of a core; Timeout handles ${timers} (${baselineTimers} with the clients connected, before any subscription); active topics ${activeTopics}`);
  }
  if (results.w7) {
    const { clients, intervalMs, standalone, cluster, added } = results.w7;
    lines.push(
      `W7 cluster (${clients} clients, ${intervalMs} ms, 1 generator -> Redis -> 2 gateways vs standalone): ` +
        `p50 ${standalone.p50} -> ${cluster.p50} ms, p99 ${standalone.p99} -> ${cluster.p99} ms; added p50 ${added.p50} ms, p99 ${added.p99} ms`,
    );
  }
  return lines;
}

/** The same report as Markdown tables, for docs/performance.md (`npm run bench:markdown`). */
export function renderMarkdown(results: BenchResults): string {
  const table = (rows: readonly (readonly string[])[]): string =>
    rows.map((row, index) => `| ${row.join(' | ')} |${index === 0 ? `\n|${row.map(() => '---').join('|')}|` : ''}`).join('\n');
  const checks = checkTargets(results).map((check) => [check.workload, check.target, check.measured, check.met ? 'yes' : '**no**']);
  const notes = churnAndIdleLines(results).map((line) => `- ${line}`);
  return [table([HEADER, ...allFanoutRows(results)]), '', ...notes, '', table([['workload', 'target', 'measured', 'met'], ...checks])].join('\n');
}

/** The printed report: one row per workload and server, ratios against raw, then the targets. */
export function renderTable(results: BenchResults): string {
  const rows = [HEADER, ...allFanoutRows(results)];
  const { mode, tickSchedule, machine } = results;
  const lines = [`barcast bench (${mode}, barcast ticks ${tickSchedule}), ${machine.cpus} cpus, node ${machine.node}`, '', pad(rows)];
  lines.push('', ...churnAndIdleLines(results));
  const checks = checkTargets(results);
  lines.push('', pad([['workload', 'target', 'measured', 'met'], ...checks.map((check) => [check.workload, check.target, check.measured, check.met ? 'yes' : 'NO'])]));
  return lines.join('\n');
}
