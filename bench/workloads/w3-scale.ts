import { progress } from '../harness.js';
import { ratioTarget } from '../report.js';
import { spread, symbols, topicsOf } from '../topics.js';
import { defineWorkload } from '../workload.js';

/**
 * W3, scale: as many connections as a server process may hold here (the open-file limit minus
 * its own descriptors; the clients are spread over several load processes), over 100 topics at
 * 1 s. Reports RSS and heap per connection.
 */
export const scale = defineWorkload({
  ids: ['W3'],
  full: { clients: 'max' as number | 'max', warmupMs: 1_000, measureMs: 6_000 },
  quick: { clients: 1_000 as number | 'max', warmupMs: 300, measureMs: 2_000 },
  async run(bench, size) {
    const clients = size.clients === 'max' ? bench.maxConnections : Math.min(size.clients, bench.maxConnections);
    if (clients < 1_000) {
      // Node cannot raise its own limit; each server process holds one descriptor per connection.
      const note = `W3 skipped: \`ulimit -n\` is ${bench.openFiles}; raise it (e.g. \`ulimit -n 20000\`) and rerun`;
      progress(note);
      return { notes: [note] };
    }
    const rows = await bench.fanoutAcrossServers(`W3 scale (${clients} connections)`, {
      symbols: symbols(100), resolutions: ['1'], intervalMs: 1_000,
      clients: spread(clients, topicsOf(symbols(100), ['1'])),
      warmupMs: size.warmupMs, measureMs: size.measureMs, sampleEvery: 1,
    });
    const rss = (row: { rssPerConnection: number }): number => row.rssPerConnection;
    const heap = (row: { heapPerConnection: number }): number => row.heapPerConnection;
    return {
      fanout: { W3: rows },
      targets: [
        ...ratioTarget('W3', rows, 'raw', 'RSS/conn', rss, 'lower', 1.2),
        ...ratioTarget('W3', rows, 'raw', 'heap/conn', heap, 'lower', 1.2),
        // Issue 15: no more than 1.5x uWebSockets.js's memory per connection.
        ...ratioTarget('W3', rows, 'uws', 'RSS/conn', rss, 'lower', 1.5),
        ...ratioTarget('W3', rows, 'uws', 'RSS/conn', rss, 'lower', 1.5, 'barcast-uws'),
      ],
    };
  },
});
