import { readFileSync } from 'node:fs';

/**
 * `tsx bench/profile-summary.ts FILE.cpuprofile [N]`: the N functions with the most self time
 * in a V8 CPU profile (from BENCH_CPU_PROF=dir npm run bench), as a share of sampled time.
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

const [file, count = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
const selfHits = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  total += hits;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
  const name = `${functionName || '(anonymous)'} ${where}`.trim();
  selfHits.set(name, (selfHits.get(name) ?? 0) + hits);
}
const rows = [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, Number(count));
for (const [name, hits] of rows) process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}\n`);
