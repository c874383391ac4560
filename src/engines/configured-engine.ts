import type { SchedulerLike } from 'rxjs';
import type { TickSchedule } from '../domain/tick-phase.js';
import type { Logger } from '../logger.js';
import type { BarEngine } from '../streams/bar-source.js';
import type { BarGenerator } from '../streams/bar-stream.js';
import type { EmitEvent } from '../streams/events.js';
import type { SeriesHistory } from '../streams/series-history.js';
import { topicTicks } from '../streams/topic-ticks.js';
import { selectEngine, type EngineRole, type EngineSelection, type TradeFedSelection } from './select-engine.js';

/**
 * The settings an engine is built from, as the app's `Config` spells them (engines never import
 * config, so this is the slice they read; a `Config` is one): the `cluster` section, the series'
 * seed and interval, and the tick schedule.
 */
export interface EngineSettings {
  readonly cluster: EngineSelection['cluster'];
  readonly broadcaster: { readonly seed: number; readonly interval: number };
  readonly fanout: { readonly tickSchedule: TickSchedule };
}

/** What the engine runs with: the app's clock, logger, series history and event bus. */
export interface EngineEnvironment {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly history: SeriesHistory;
  readonly emit: EmitEvent;
  /** The catalog's bars topic keys. */
  readonly topics: readonly string[];
  /** Replaces the bar generator (tests inject failures with it). */
  readonly generate?: BarGenerator | undefined;
  /** A generator's id in topic leases (default: host, pid and a random suffix). */
  readonly owner?: string | undefined;
  /** Trade-fed symbols (INGEST_SYMBOLS): what the role needs of them. */
  readonly trades?: TradeFedSelection | undefined;
}

/**
 * The engine of this config: what the composition root asks for, so nothing above the engines
 * layer knows of Redis, its Cluster or the roles. Lease changes are reported as `lease_changed`
 * events and failures that are no one topic's as `topic_error` of the topic `engine`.
 */
export function configuredEngine(settings: EngineSettings, environment: EngineEnvironment): BarEngine {
  const { scheduler, logger, history, emit, topics, generate, owner, trades } = environment;
  const periodMs = settings.broadcaster.interval * 1000;
  return selectEngine(
    {
      cluster: settings.cluster,
      memory: {
        seed: settings.broadcaster.seed,
        periodMs,
        ...topicTicks(settings.fanout.tickSchedule, periodMs, scheduler),
        ...(generate ? { generate } : {}),
      },
      topics,
      onLeadership: (topic, leading) => emit({ type: 'lease_changed', topic, change: leading ? 'acquired' : 'lost' }),
      ...(owner ? { owner } : {}),
      ...(trades ? { trades } : {}),
    },
    { scheduler, logger, history, emit, reportError: (topic, error) => emit({ type: 'topic_error', topic: topic ?? 'engine', error }) },
  );
}

/** The process's part in a deployment, for its logs: standalone, gateway or generator. */
export function engineRole(settings: Pick<EngineSettings, 'cluster'>): EngineRole {
  return settings.cluster.role;
}
