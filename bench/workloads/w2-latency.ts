import { absoluteTarget, ratioTarget, rowOf } from '../report.js';
import { spread, symbols, topicsOf } from '../topics.js';
import { defineWorkload } from '../workload.js';

/** W2, steady latency: clients spread over 10 topics at a 100 ms interval; every frame's latency sampled. */
export const latency = defineWorkload({
  ids: ['W2'],
  full: { clients: 1_000, warmupMs: 1_000, measureMs: 10_000 },
  quick: { clients: 500, warmupMs: 300, measureMs: 1_500 },
  async run(bench, size) {
    const rows = await bench.fanoutAcrossServers('W2 latency', {
      symbols: symbols(10), resolutions: ['1'], intervalMs: 100,
      clients: spread(size.clients, topicsOf(symbols(10), ['1'])),
      warmupMs: size.warmupMs, measureMs: size.measureMs, sampleEvery: 1,
    });
    const ours = rowOf(rows, 'barcast');
    return {
      fanout: { W2: rows },
      targets: [
        ...ratioTarget('W2', rows, 'raw', 'p99', (row) => row.latency.p99, 'lower', 1),
        ...ratioTarget('W2', rows, 'raw', 'p99.9', (row) => row.latency.p999, 'lower', 1),
        ...(ours ? [absoluteTarget('W2', 'p99 <= 5 ms', ours.latency.p99, ours.latency.p99 <= 5, ' ms')] : []),
      ],
    };
  },
});
