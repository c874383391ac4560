import { readFileSync } from 'node:fs';

/**
 * `tsx bench/profile-summary.ts FILE.cpuprofile [N] [--layers]`: the N functions with the most
 * self time in a V8 CPU profile (from BENCH_CPU_PROF=dir npm run bench), as a share of sampled
 * time; with --layers, the self time summed by layer instead (the write system call, Node's
 * streams and sockets, ws, barcast's src/, RxJS, GC, idle, ...), which is where a delivery's
 * cost goes.
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

const args = process.argv.slice(2);
const byLayer = args.includes('--layers');
const [file, count = '25'] = args.filter((arg) => arg !== '--layers');
if (!file) throw new Error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [N] [--layers]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };

/** Native write calls: the system call and the kernel's loopback path under it. */
const WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString']);

function layerOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (WRITES.has(functionName)) return 'socket write (system call)';
  if (['(idle)', '(garbage collector)', '(program)'].includes(functionName)) return functionName;
  if (url.includes('node_modules/ws/')) return 'ws';
  if (url.includes('node_modules/rxjs/')) return 'rxjs';
  if (url.includes('node_modules/socket.io') || url.includes('node_modules/engine.io')) return 'socket.io';
  if (url.includes('/src/')) return 'barcast src/';
  if (url.includes('/bench/')) return 'bench harness and baseline servers';
  if (/^node:internal\/(modules|bootstrap)|esm\/|tsx/.test(url) || ['waitForWorker', 'makeSyncRequest', 'compileFunction'].includes(functionName)) return 'module loading (start-up)';
  if (url.startsWith('node:') || url === '') return 'node core (streams, net, events, buffers, natives)';
  return 'other dependencies';
}

const selfHits = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  total += hits;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
  const name = byLayer ? layerOf(node.callFrame) : `${functionName || '(anonymous)'} ${where}`.trim();
  selfHits.set(name, (selfHits.get(name) ?? 0) + hits);
}
const rows = [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, Number(count));
for (const [name, hits] of rows) process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}\n`);
