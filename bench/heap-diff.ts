import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Bench } from './harness.js';
import type { ServerKind } from './ipc.js';
import { spread, symbols, topicsOf } from './topics.js';

/**
 * `npx tsx bench/heap-diff.ts [--server barcast] [--connections 1000] [--top 30]`: what one
 * connection keeps alive on a server's JavaScript heap. Heap snapshots (after forced GCs) of the
 * server with N clients subscribed (spread over 100 topics at 1 s, like W3) and with N more on the
 * same topics, so that what every topic costs once (its stream, its fan-out) is in both and only
 * what a connection adds is in the difference; printed per connection by object kind and
 * constructor: count per connection and self bytes per connection. Memory outside the JS heap (uWS's C++ state, libuv handles, kernel
 * buffers) is not in a heap snapshot; W3's RSS figures cover it.
 */
const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'barcast' },
    connections: { type: 'string', default: '1000' },
    top: { type: 'string', default: '30' },
  },
});
const kind = values.server as ServerKind;
const connections = Number(values.connections);
const directory = mkdtempSync(join(tmpdir(), 'barcast-heap-'));

interface Tally {
  count: number;
  bytes: number;
}

/** Self size and count per `type:name` (constructor name for objects and closures). */
function tally(file: string): Map<string, Tally> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const byKey = new Map<string, Tally>();
  for (let index = 0; index < snapshot.nodes.length; index += fields.length) {
    const type = types[snapshot.nodes[index + typeAt]!]!;
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' || type === 'code';
    const key = named ? `${type}:${snapshot.strings[snapshot.nodes[index + nameAt]!]!.slice(0, 60)}` : type;
    const entry = byKey.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += snapshot.nodes[index + sizeAt]!;
    byKey.set(key, entry);
  }
  return byKey;
}

const bench = new Bench([kind], undefined);
try {
  const topics = { symbols: symbols(100), resolutions: ['1'], intervalMs: 1_000 };
  const { server, url } = await bench.startServer(kind, topics);
  try {
    const clients = spread(connections, topicsOf(topics.symbols, ['1']));
    await bench.connectLoads(kind, url, clients, 1_000_000);
    await sleep(2_000);
    const before = (await server.request({ type: 'snapshot', path: join(directory, 'base.heapsnapshot') })).path;
    await bench.connectLoads(kind, url, clients, 1_000_000);
    await sleep(2_000);
    const after = (await server.request({ type: 'snapshot', path: join(directory, 'more.heapsnapshot') })).path;
    const [empty, connected] = [tally(before), tally(after)];
    const rows = [...connected]
      .map(([key, now]) => ({ key, count: (now.count - (empty.get(key)?.count ?? 0)) / connections, bytes: (now.bytes - (empty.get(key)?.bytes ?? 0)) / connections }))
      .filter((row) => Math.abs(row.bytes) >= 1)
      .sort((a, b) => b.bytes - a.bytes);
    const total = rows.reduce((sum, row) => sum + row.bytes, 0);
    process.stdout.write(`${kind}: from ${connections} to ${2 * connections} connections: ${connections} more connections on the same topics: JS heap kept per added connection ${total.toFixed(0)} bytes (self sizes)\n`);
    process.stdout.write('  bytes/conn  count/conn  kind:constructor\n');
    for (const row of rows.slice(0, Number(values.top))) {
      process.stdout.write(`${row.bytes.toFixed(0).padStart(12)}  ${row.count.toFixed(2).padStart(10)}  ${row.key}\n`);
    }
  } finally {
    await Promise.all([bench.disconnectLoads(), server.kill()]);
  }
} finally {
  await bench.close();
  rmSync(directory, { recursive: true, force: true });
}
