import { map, type Observable } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import type { BarsTopic } from '../../domain/topic.js';
import type { TopicUpdate } from '../../domain/update.js';
import { READY, type BarEngine } from '../../streams/bar-source.js';
import { barUpdates, type BarGenerator } from '../../streams/bar-stream.js';
import { BARS_TOPIC, BASE_RESOLUTION } from '../../streams/bars-topic.js';
import { defaultEpochs } from '../../streams/epochs.js';
import { markFinals } from '../../streams/operators/mark-finals.js';
import { numberUpdates } from '../../streams/operators/number-updates.js';
import { resampleAlong } from '../../streams/operators/resample.js';
import { seriesHistory } from '../../streams/series-history.js';
import type { TopicContext } from '../../streams/topic-kind.js';

export interface MemoryEngineOptions {
  readonly seed: number;
  readonly periodMs: number;
  /** A topic's tick source (a shared clock of the tick grid, see topic-ticks.ts); by default its own interval. */
  readonly ticks?: ((topic: BarsTopic) => Observable<unknown>) | undefined;
  /** Replaces the bar generator (tests inject failures with it); history stays the series'. */
  readonly generate?: BarGenerator;
  /** Names each new numbering; by default unique per process (see epochs.ts). */
  readonly newEpoch?: () => string;
}

/**
 * The in-process engine, standalone's and the generator role's: `bars:SYMBOL:1` runs the bar
 * generator on the process's clock; every coarser resolution is resampled from it through the
 * hub like any other subscriber (so all resolutions of a symbol share one generator), taking
 * what it already held from history when it starts mid-period. Each topic numbers its own
 * updates and marks each bar's close final.
 */
export function memoryEngine(options: MemoryEngineOptions): BarEngine {
  const { seed, periodMs, ticks } = options;
  const history = seriesHistory(seed);
  let newEpoch = options.newEpoch;

  const base = ({ symbol, resolution }: BarsTopic, context: TopicContext): Observable<TopicUpdate<Bar>> =>
    barUpdates({
      symbol,
      resolution,
      seed,
      periodMs,
      scheduler: context.scheduler,
      ...(options.generate ? { generate: options.generate } : {}),
      ...(ticks ? { ticks$: ticks({ symbol, resolution }) } : {}),
      onGeneratorError: (error) => context.reportError(error),
    });

  const resampled = ({ symbol, resolution }: BarsTopic, context: TopicContext): Observable<TopicUpdate<Bar>> =>
    context.updates(BARS_TOPIC, { symbol, resolution: BASE_RESOLUTION }).pipe(
      resampleAlong(
        (update) => update.value,
        resolution,
        (minute) => history.closedBefore(symbol, resolution, minute.time),
      ),
      map(([bar, minute]) => ({ value: bar, ts: minute.ts })),
    );

  return {
    bars: (topic, context) =>
      (topic.resolution === BASE_RESOLUTION ? base(topic, context) : resampled(topic, context)).pipe(
        markFinals(topic.resolution),
        numberUpdates((newEpoch ??= defaultEpochs(context.scheduler))),
      ),
    servesClients: true,
    readiness: () => READY,
    start: () => undefined,
    stop: () => Promise.resolve(),
  };
}
