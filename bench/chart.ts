import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from './ipc.js';
import { rowOf, type BenchResults, type FanoutResult } from './report.js';
import type { SweepResult } from './workloads/sweep.js';

/**
 * `npm run bench:chart [-- NAME]`: draws, from bench/results/NAME.json (default latest),
 * docs/performance-ratios.svg (each server's measure divided by raw ws's in the same run, with
 * an arrow for the direction that is better) and docs/performance-sweep.svg (the scaling sweep:
 * CPU per delivered message and RSS per connection against connections, per topics per client).
 */
interface Metric {
  readonly label: string;
  readonly better: 'higher' | 'lower';
  readonly workload: string;
  readonly value: (result: FanoutResult) => number;
}

const METRICS: readonly Metric[] = [
  { label: 'W1 msgs/s', better: 'higher', workload: 'W1', value: (x) => x.deliveredPerSecond },
  { label: 'W1 CPU/msg', better: 'lower', workload: 'W1', value: (x) => x.cpuUsPerMessage },
  { label: 'W2 p99', better: 'lower', workload: 'W2', value: (x) => x.latency.p99 },
  { label: 'W2 p99.9', better: 'lower', workload: 'W2', value: (x) => x.latency.p999 },
  { label: 'W3 p99', better: 'lower', workload: 'W3', value: (x) => x.latency.p99 },
  { label: 'W3 RSS/conn', better: 'lower', workload: 'W3', value: (x) => x.rssPerConnection },
  { label: 'W3 heap/conn', better: 'lower', workload: 'W3', value: (x) => x.heapPerConnection },
  { label: 'W6 CPU/update', better: 'lower', workload: 'W6', value: (x) => x.cpuUsPerMessage },
];
const COLORS: Readonly<Record<ServerKind, string>> = { raw: '#d33', uws: '#e8a33d', socketio: '#9aa5b1', barcast: '#2f6fde', 'barcast-uws': '#1a9e77' };
const RATIO_SERIES: readonly ServerKind[] = ['uws', 'socketio', 'barcast', 'barcast-uws'];
const MAX_RATIO = 3;

const name = process.argv[2] ?? 'latest';
const results = JSON.parse(readFileSync(fileURLToPath(new URL(`./results/${name}.json`, import.meta.url)), 'utf8')) as BenchResults;
const runLabel = `${results.mode}, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cpus} cores, node ${results.machine.node}`;

function svg(width: number, height: number, title: string, parts: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="24" font-size="14" font-weight="bold">${title}</text>
${parts.join('\n')}
</svg>
`;
}

function legend(x: number, y: number, servers: readonly ServerKind[]): string[] {
  return servers.flatMap((server, index) => [
    `<rect x="${x + index * 110}" y="${y - 10}" width="12" height="12" fill="${COLORS[server]}"/>`,
    `<text x="${x + index * 110 + 18}" y="${y}">${server}</text>`,
  ]);
}

function ratiosChart(): string {
  const [width, height, left, top, bottom] = [960, 380, 60, 50, 70];
  const plotHeight = height - top - bottom;
  const groupWidth = (width - left - 20) / METRICS.length;
  const barWidth = (groupWidth - 24) / RATIO_SERIES.length;
  const y = (ratio: number): number => top + plotHeight - (Math.min(ratio, MAX_RATIO) / MAX_RATIO) * plotHeight;
  const parts: string[] = [];
  for (let tick = 0; tick <= MAX_RATIO; tick += 0.5) {
    parts.push(`<line x1="${left}" x2="${width - 20}" y1="${y(tick)}" y2="${y(tick)}" stroke="${tick === 1 ? COLORS.raw : '#e4e7eb'}" stroke-width="${tick === 1 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick.toFixed(1)}x</text>`);
  }
  METRICS.forEach((metric, group) => {
    const rows = results.fanout[metric.workload];
    const raw = rowOf(rows, 'raw');
    const x0 = left + group * groupWidth + 12;
    RATIO_SERIES.forEach((server, index) => {
      const row = rowOf(rows, server);
      if (!raw || !row) return;
      const ratio = metric.value(row) / metric.value(raw);
      if (!Number.isFinite(ratio)) return;
      const x = x0 + index * barWidth;
      parts.push(`<rect x="${x}" y="${y(ratio)}" width="${barWidth - 4}" height="${top + plotHeight - y(ratio)}" fill="${COLORS[server]}"/>`);
      parts.push(`<text x="${x + (barWidth - 4) / 2}" y="${y(ratio) - 4}" text-anchor="middle" font-size="10">${ratio > MAX_RATIO ? '>' : ''}${ratio.toFixed(2)}</text>`);
    });
    const arrow = metric.better === 'higher' ? '↑ better' : '↓ better';
    parts.push(`<text x="${x0 + (groupWidth - 24) / 2}" y="${height - bottom + 18}" text-anchor="middle">${metric.label}</text>`);
    parts.push(`<text x="${x0 + (groupWidth - 24) / 2}" y="${height - bottom + 34}" text-anchor="middle" fill="#616e7c">${arrow}</text>`);
  });
  parts.push(...legend(left, height - 12, RATIO_SERIES));
  parts.push(`<text x="${left + 360}" y="${height - 12}" fill="${COLORS.raw}">red line: raw ws = 1.0x</text>`);
  return svg(width, height, `Ratio to raw ws, same run (${runLabel})`, parts);
}

/** Small multiples: one column per topics-per-client, CPU/msg on top, RSS/conn below; x is connections (log). */
function sweepChart(sweep: SweepResult): string {
  const servers: readonly ServerKind[] = ['raw', 'uws', 'socketio', 'barcast', 'barcast-uws'];
  const perClient = [...new Set(sweep.points.map((point) => point.topicsPerClient))];
  const counts = [...new Set(sweep.points.map((point) => point.connections))].sort((a, b) => a - b);
  const [panelWidth, panelHeight, left, top, gap] = [280, 190, 70, 60, 60];
  const width = left + perClient.length * (panelWidth + 30) + 10;
  const height = top + 2 * (panelHeight + gap) + 20;
  const measures = [
    { label: 'server CPU per delivered message (µs)', value: (row: FanoutResult) => row.cpuUsPerMessage },
    { label: 'server RSS per connection (KB)', value: (row: FanoutResult) => row.rssPerConnection / 1024 },
  ];
  const logX = (count: number): number => {
    const [low, high] = [Math.log10(counts[0]!), Math.log10(counts.at(-1)!)];
    return high === low ? 0.5 : (Math.log10(count) - low) / (high - low);
  };
  const parts: string[] = [];
  measures.forEach((measure, row) => {
    const values = sweep.points.flatMap((point) => point.rows.map(measure.value)).filter((value) => Number.isFinite(value) && value > 0);
    // Log scale: the 100-connection points cost ten times the rest, and a linear axis would flatten everything else.
    const [low, high] = [Math.log10(niceFloor(Math.min(...values, 1))), Math.log10(niceCeiling(Math.max(...values, 1)))];
    const y0 = top + row * (panelHeight + gap);
    parts.push(`<text x="${left}" y="${y0 - 14}" font-weight="bold">${measure.label}, log scale</text>`);
    perClient.forEach((topics, column) => {
      const x0 = left + column * (panelWidth + 30);
      const px = (count: number): number => x0 + 10 + logX(count) * (panelWidth - 20);
      const py = (value: number): number => y0 + panelHeight - ((Math.log10(value) - low) / (high - low || 1)) * panelHeight;
      parts.push(`<rect x="${x0}" y="${y0}" width="${panelWidth}" height="${panelHeight}" fill="none" stroke="#cbd2d9"/>`);
      for (const value of logTicks(10 ** low, 10 ** high)) {
        parts.push(`<line x1="${x0}" x2="${x0 + panelWidth}" y1="${py(value)}" y2="${py(value)}" stroke="#eef0f2"/>`);
        if (column === 0) parts.push(`<text x="${x0 - 6}" y="${py(value) + 4}" text-anchor="end">${value < 1 ? value.toFixed(1) : value}</text>`);
      }
      for (const count of counts) parts.push(`<text x="${px(count)}" y="${y0 + panelHeight + 16}" text-anchor="middle">${count >= 1000 ? `${count / 1000}k` : count}</text>`);
      parts.push(`<text x="${x0 + panelWidth / 2}" y="${y0 + panelHeight + 32}" text-anchor="middle" fill="#616e7c">connections, ${topics} topic${topics > 1 ? 's' : ''} per client</text>`);
      for (const server of servers) {
        const points = sweep.points
          .filter((point) => point.topicsPerClient === topics)
          .map((point) => ({ count: point.connections, value: rowOf(point.rows, server) ? measure.value(rowOf(point.rows, server)!) : Number.NaN }))
          .filter((point) => Number.isFinite(point.value))
          .sort((a, b) => a.count - b.count);
        if (points.length === 0) continue;
        const path = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${px(point.count).toFixed(1)},${py(point.value).toFixed(1)}`).join(' ');
        parts.push(`<path d="${path}" fill="none" stroke="${COLORS[server]}" stroke-width="2"/>`);
        for (const point of points) parts.push(`<circle cx="${px(point.count).toFixed(1)}" cy="${py(point.value).toFixed(1)}" r="3" fill="${COLORS[server]}"/>`);
      }
    });
  });
  parts.push(...legend(left, height - 10, servers));
  return svg(width, height, `Scaling sweep, same run (${runLabel}; log scales)`, parts);
}

/** 1, 2, 5 times each power of ten from `low` to `high`. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); power += 1) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** power;
      if (value >= low * 0.999 && value <= high * 1.001) ticks.push(Number(value.toPrecision(3)));
    }
  }
  return ticks;
}

function niceFloor(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return ([5, 2, 1].find((step) => step * magnitude <= value) ?? 1) * magnitude;
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 2.5, 5, 10].find((step) => step * magnitude >= value) ?? 10) * magnitude;
}

const write = (file: string, content: string): void => {
  writeFileSync(fileURLToPath(new URL(`../docs/${file}`, import.meta.url)), content);
  process.stdout.write(`wrote docs/${file}\n`);
};
// A run of only some workloads (--only SWEEP) redraws only the charts it has data for.
if (Object.keys(results.fanout).length > 0) write('performance-ratios.svg', ratiosChart());
else process.stdout.write(`no fan-out workloads in bench/results/${name}.json; docs/performance-ratios.svg left as it was\n`);
const sweep = results.details['SWEEP'] as SweepResult | undefined;
if (sweep && sweep.points.length > 0) write('performance-sweep.svg', sweepChart(sweep));
else process.stdout.write(`no sweep in bench/results/${name}.json; docs/performance-sweep.svg left as it was\n`);
