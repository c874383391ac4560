import { progress } from '../harness.js';
import { absoluteTarget, fixed } from '../report.js';
import { ALL_RESOLUTIONS } from '../trade-feed.js';
import { aggregateTradesThroughput, tradeAggregatorThroughput, type AggregationFigure } from '../trade-throughput.js';
import { defineWorkload } from '../workload.js';

/** Issue 21: trades aggregated per second on one core, in memory. */
export const T1_TARGET_PER_SECOND = 500_000;

/**
 * T1, trade aggregation in memory: trades per second through aggregateTrades alone and through
 * the TradeAggregator of one symbol (at `1`, and at all nine resolutions), fed 500 trades a
 * hand-over as the ingest's commits feed it, a subscriber on every topic, no I/O, one thread.
 * The target is on the nine resolutions (the costliest configuration there is), in trades per
 * second of CPU time: what one core does, whatever else shares the machine.
 */
export const aggregation = defineWorkload({
  ids: ['T1'],
  full: { warmupMs: 1_000, measureMs: 5_000 },
  quick: { warmupMs: 300, measureMs: 1_500 },
  async run(_bench, size) {
    progress('T1 trade aggregation in memory');
    const figures: AggregationFigure[] = [
      await aggregateTradesThroughput(size),
      await tradeAggregatorThroughput(size, ['1']),
      await tradeAggregatorThroughput(size, ALL_RESOLUTIONS),
    ];
    const all = figures.at(-1)!;
    return {
      details: { T1: { ...size, figures } },
      tables: [{
        title: 'T1 trade aggregation in memory (one thread, no I/O)',
        rows: [
          ['what', 'trades/s (wall)', 'trades per cpu-s', 'cpu us/trade', 'updates/trade'],
          ...figures.map((figure) => [figure.what, fixed(figure.tradesPerSecond, 0), fixed(figure.perCpuSecond, 0), fixed(figure.cpuUsPerTrade, 3), fixed(figure.updatesPerTrade, 3)]),
        ],
      }],
      // On CPU time, not wall time: "on one core" is what one core does, and this machine's cores are shared.
      targets: [absoluteTarget('T1', `trades aggregated per cpu-second at ${all.resolutions} resolutions >= ${T1_TARGET_PER_SECOND.toLocaleString('en')}`, all.perCpuSecond, all.perCpuSecond >= T1_TARGET_PER_SECOND, '/s')],
    };
  },
});
