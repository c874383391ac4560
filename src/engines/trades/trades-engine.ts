import type { BarEngine } from '../../streams/bar-source.js';
import { defaultEpochs } from '../../streams/epochs.js';
import { numberUpdates } from '../../streams/operators/number-updates.js';
import type { TradeAggregator } from './trade-aggregator.js';

export interface TradesEngineOptions {
  readonly aggregator: TradeAggregator;
  /** Names each new numbering; by default unique per process (see epochs.ts). */
  readonly newEpoch?: () => string;
}

/**
 * The engine of trade-built bars (docs/architecture.md, "Trade-built bars"): a trade-fed
 * symbol's topics are views on the always-on aggregator (the forming bar first, then every
 * update), numbered in a fresh epoch per subscription like the memory engine's; its updates
 * are already marked `final` by aggregateTrades, once per bar, so markFinals (which reads
 * finality off the clock) is not applied: a late trade's update within the lateness comes
 * after the period's last millisecond and is not a final. Every other symbol is the wrapped
 * engine's, which also decides readiness and the generator's publishing.
 */
export function tradesEngine(options: TradesEngineOptions, wrapped: BarEngine): BarEngine {
  const { aggregator } = options;
  let newEpoch = options.newEpoch;
  return {
    bars: (topic, context) =>
      aggregator.isTradeFed(topic.symbol)
        ? aggregator.updates(topic).pipe(numberUpdates((newEpoch ??= defaultEpochs(context.scheduler))))
        : wrapped.bars(topic, context),
    get servesClients() {
      return wrapped.servesClients;
    },
    readiness: () => wrapped.readiness(),
    start: (hub) => wrapped.start(hub),
    stop: async () => {
      await wrapped.stop();
      await aggregator.stop();
    },
  };
}
