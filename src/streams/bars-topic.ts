import type { Bar } from '../domain/bar.js';
import type { Resolution } from '../domain/resolution.js';
import { BARS_KIND, barsTopicKey, type BarsTopic } from '../domain/topic.js';
import type { BarEngine } from './bar-source.js';
import { parseBarsPayload } from './bars-payload.js';
import { resumeBars, resumeTradeBars, type BarsResumeOptions, type TradeFedFinals } from './bars-resume.js';
import type { Catalog } from './catalog.js';
import { topicRef, type TopicKind, type TopicRef } from './topic-kind.js';

/** The parameters of a bars topic: which symbol, at which resolution. */
export type BarsParams = BarsTopic;

export interface BarsTopicOptions {
  readonly catalog: Catalog;
  /** Where the bars come from (engines/): the kind only parses, names and describes. */
  readonly engine: Pick<BarEngine, 'bars'>;
  /** History for resumes (`since`); without it a resume is answered `recovered: false`. */
  readonly resume?: BarsResumeOptions;
  /** Trade-fed symbols (INGEST_SYMBOLS): resumed from the aggregator's finals, and quiet without trades rather than stale. */
  readonly tradeFed?: TradeFedFinals;
}

/** The registered `bars` kind, by name: `context.stream(BARS_TOPIC, params)` in a factory. */
export const BARS_TOPIC: TopicRef<BarsParams, Bar> = topicRef(BARS_KIND);

/**
 * The resolution each symbol's generator runs at. Every other resolution is derived from it
 * with `resample`, so all resolutions (and quotes) of a symbol share one generator and agree.
 */
export const BASE_RESOLUTION: Resolution = '1';

/** The built-in `bars` topic kind: `bars:SYMBOL:RESOLUTION`, live bars from the engine. */
export function barsTopicKind(options: BarsTopicOptions): TopicKind<BarsParams, Bar> {
  return {
    name: BARS_KIND,
    parse: (payload) => parseBarsPayload(payload, options.catalog),
    key: ({ symbol, resolution }) => barsTopicKey(symbol, resolution),
    describe: ({ symbol, resolution }) => ({ symbol, resolution }),
    updates: (params, context) => options.engine.bars(params, context),
    resume: (params, since, latest) => {
      if (options.tradeFed?.isTradeFed(params.symbol)) return resumeTradeBars(params, since, latest, options.tradeFed);
      return options.resume ? resumeBars(params, since, latest, options.resume) : { recovered: false };
    },
    live: (params) => !(options.tradeFed?.isTradeFed(params.symbol) ?? false),
  };
}
