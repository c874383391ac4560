import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from './ipc.js';
import type { BenchResults, FanoutResult } from './report.js';

/**
 * `npm run bench:chart`: draws docs/performance-ratios.svg from bench/results/latest.json:
 * each server's measure divided by raw ws's in the same run (1.0 = the raw limit), with an
 * arrow for the direction that is better.
 */
interface Metric {
  readonly label: string;
  readonly better: 'higher' | 'lower';
  readonly pick: (results: BenchResults) => readonly FanoutResult[] | undefined;
  readonly value: (result: FanoutResult) => number;
}

const METRICS: readonly Metric[] = [
  { label: 'W1 msgs/s', better: 'higher', pick: (r) => r.w1, value: (x) => x.deliveredPerSecond },
  { label: 'W1 CPU/msg', better: 'lower', pick: (r) => r.w1, value: (x) => x.cpuUsPerMessage },
  { label: 'W2 p99', better: 'lower', pick: (r) => r.w2, value: (x) => x.latency.p99 },
  { label: 'W2 p99.9', better: 'lower', pick: (r) => r.w2, value: (x) => x.latency.p999 },
  { label: 'W3 p99', better: 'lower', pick: (r) => r.w3, value: (x) => x.latency.p99 },
  { label: 'W3 heap/conn', better: 'lower', pick: (r) => r.w3, value: (x) => x.heapPerConnection },
  { label: 'W6 CPU/update', better: 'lower', pick: (r) => r.w6, value: (x) => x.cpuUsPerMessage },
];
const SERIES: readonly { server: ServerKind; color: string }[] = [
  { server: 'socketio', color: '#9aa5b1' },
  { server: 'barcast', color: '#2f6fde' },
];
const MAX_RATIO = 3;

const results = JSON.parse(readFileSync(fileURLToPath(new URL('./results/latest.json', import.meta.url)), 'utf8')) as BenchResults;
const [width, height, left, top, bottom] = [860, 380, 60, 50, 70];
const plotHeight = height - top - bottom;
const groupWidth = (width - left - 20) / METRICS.length;
const barWidth = (groupWidth - 24) / SERIES.length;
const y = (ratio: number): number => top + plotHeight - (Math.min(ratio, MAX_RATIO) / MAX_RATIO) * plotHeight;
const parts: string[] = [];

for (let tick = 0; tick <= MAX_RATIO; tick += 0.5) {
  parts.push(`<line x1="${left}" x2="${width - 20}" y1="${y(tick)}" y2="${y(tick)}" stroke="${tick === 1 ? '#d33' : '#e4e7eb'}" stroke-width="${tick === 1 ? 1.5 : 1}"/>`);
  parts.push(`<text x="${left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick.toFixed(1)}x</text>`);
}
METRICS.forEach((metric, group) => {
  const rows = metric.pick(results);
  const raw = rows?.find((row) => row.server === 'raw');
  const x0 = left + group * groupWidth + 12;
  SERIES.forEach(({ server, color }, index) => {
    const row = rows?.find((candidate) => candidate.server === server);
    if (!raw || !row) return;
    const ratio = metric.value(row) / metric.value(raw);
    if (!Number.isFinite(ratio)) return;
    const x = x0 + index * barWidth;
    parts.push(`<rect x="${x}" y="${y(ratio)}" width="${barWidth - 4}" height="${top + plotHeight - y(ratio)}" fill="${color}"/>`);
    parts.push(`<text x="${x + (barWidth - 4) / 2}" y="${y(ratio) - 4}" text-anchor="middle">${ratio > MAX_RATIO ? '>' : ''}${ratio.toFixed(2)}</text>`);
  });
  const arrow = metric.better === 'higher' ? '↑ better' : '↓ better';
  parts.push(`<text x="${x0 + (groupWidth - 24) / 2}" y="${height - bottom + 18}" text-anchor="middle">${metric.label}</text>`);
  parts.push(`<text x="${x0 + (groupWidth - 24) / 2}" y="${height - bottom + 34}" text-anchor="middle" fill="#616e7c">${arrow}</text>`);
});
SERIES.forEach(({ server, color }, index) => {
  parts.push(`<rect x="${left + index * 120}" y="${height - 22}" width="12" height="12" fill="${color}"/>`);
  parts.push(`<text x="${left + index * 120 + 18}" y="${height - 12}">${server}</text>`);
});
parts.push(`<text x="${left + 250}" y="${height - 12}" fill="#d33">red line: raw ws = 1.0x</text>`);

const title = `Ratio to raw ws, same run (${results.mode}, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cpus} cores, node ${results.machine.node})`;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="24" font-size="14" font-weight="bold">${title}</text>
${parts.join('\n')}
</svg>
`;
const target = fileURLToPath(new URL('../docs/performance-ratios.svg', import.meta.url));
writeFileSync(target, svg);
process.stdout.write('wrote docs/performance-ratios.svg\n');
