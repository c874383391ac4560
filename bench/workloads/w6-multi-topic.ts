import { ratioTarget } from '../report.js';
import { symbols, topicsOf } from '../topics.js';
import { defineWorkload } from '../workload.js';

/** W6, multi-topic clients: each client on one symbol at four resolutions (a chart with several timeframes). */
export const multiTopic = defineWorkload({
  ids: ['W6'],
  full: { clients: 1_000, warmupMs: 1_000, measureMs: 5_000 },
  quick: { clients: 500, warmupMs: 300, measureMs: 1_500 },
  async run(bench, size) {
    const resolutions = ['1', '5', '15', '60'];
    const symbolList = symbols(10);
    const rows = await bench.fanoutAcrossServers('W6 multi-topic', {
      symbols: symbolList, resolutions, intervalMs: 100,
      clients: Array.from({ length: size.clients }, (_, index) => topicsOf([symbolList[index % symbolList.length]!], resolutions)),
      warmupMs: size.warmupMs, measureMs: size.measureMs, sampleEvery: 8,
    });
    return {
      fanout: { W6: rows },
      targets: ratioTarget('W6', rows, 'raw', 'CPU/update', (row) => row.cpuUsPerMessage, 'lower', 0.6),
    };
  },
});
