import { type SchedulerLike, type Subscription, tap } from 'rxjs';
import type { Logger } from '../../logger.js';
import { READY, type BarEngine, type Readiness } from '../../streams/bar-source.js';
import type { EmitEvent } from '../../streams/events.js';
import { BARS_TOPIC } from '../../streams/bars-topic.js';
import { barsTopicKey, parseBarsTopicKey } from '../../domain/topic.js';
import { fillMissedFinals } from '../../streams/operators/fill-missed-finals.js';
import type { SeriesHistory } from '../../streams/series-history.js';
import { channelBarStream } from './channel-bar-stream.js';
import { settledWithin, slotDeadlineMs } from './deadline.js';
import { generatorLoop, type TradeFedTopics } from './generator.js';
import { releaseLease } from './lease.js';
import type { GatewayLink, GeneratorLink } from './redis-link.js';

/** The `cluster` config section: all the Redis engines read. */
export interface RedisEngineConfig {
  readonly redisUrl: string;
  /** Redis Cluster seed nodes (`host:port,...`); when set, the Redis Cluster engine is used. */
  readonly redisClusterNodes: string;
  readonly reconnectMaxMs: number;
  readonly leaseIntervals: number;
}

export interface RedisGeneratorOptions {
  /** Topic keys that may be produced (the catalog, and the base topics derived ones need). */
  readonly topics: readonly string[];
  readonly periodMs: number;
  /** This generator's id in leases; unique per process. */
  readonly owner: string;
  /** Computes the bars: the in-process engine, as standalone runs it. */
  readonly compute: BarEngine;
  readonly onLeadership?: (topic: string, leading: boolean) => void;
  /** Trade-fed symbols: leased always, their trade streams ingested while led (not among `topics`). */
  readonly tradeFed?: TradeFedTopics;
}

export interface RedisEngineDependencies {
  readonly scheduler: SchedulerLike;
  /** The series' history: a gateway closes from it a bar whose final it did not receive. */
  readonly history: SeriesHistory;
  readonly logger: Logger;
  /** Reports a failure that is not one topic's (counted, logged). */
  readonly reportError: (topic: string | undefined, error: unknown) => void;
  /** Reports what an operator pages on: publish-to-receive lag, lease changes (metrics). */
  readonly emit?: EmitEvent;
}

/** The most bars a gateway fills from history after losing a stretch of a topic's updates. */
export const MAX_FILLED_FINALS = 1_000;

/**
 * A gateway on Redis: every bars topic is the topic's Redis channel, carrying the frames a
 * generator published (numbered there, so every gateway sends the same bytes). The first local
 * subscriber subscribes the channel and the last one unsubscribes it (the hub's refcount),
 * which is what tells generators a topic is wanted. A bar whose close the gateway did not
 * receive (a lost publish, a generator failover, a Redis restart or shard failover) is closed
 * from history. The same on one Redis and on a Redis Cluster (sharded channels); `link` is
 * the difference.
 */
export function redisGatewayEngine(link: GatewayLink, { history, emit }: Pick<RedisEngineDependencies, 'history' | 'emit'>): BarEngine {
  const unreachable: Readiness = { ready: false, reason: `${link.name} unreachable` };
  return {
    bars: ({ symbol, resolution }, context) => {
      const topic = barsTopicKey(symbol, resolution);
      return channelBarStream({
        topic,
        channels: link.channels,
        lastFrame: link.lastFrame,
        keysOf: (key) => link.keysOf(key),
        reportError: (error) => context.reportError(error),
      }).pipe(
        // Once per topic update (not per client): the lag from the generator's stamp to here.
        tap((update) => emit?.({ type: 'redis_update_received', topic, lagMs: Math.max(0, context.scheduler.now() - update.ts) })),
        fillMissedFinals(resolution, (first, end) => history.bars(symbol, resolution, { first, end }), MAX_FILLED_FINALS),
      );
    },
    servesClients: true,
    readiness: () => (link.ready() ? READY : unreachable),
    start: () => undefined,
    stop: async () => link.close(),
  };
}

/**
 * A generator on Redis (one server or a cluster, per `link`): serves no clients; computes each
 * topic in demand with the in-process engine (the very pipeline standalone runs, through this
 * process's hub) and, while it holds the topic's lease, publishes every update. Not ready
 * while Redis is away or while the publishes of every topic it leads fail (out of memory,
 * say): clients would hear nothing from it. On a cluster one shard down fails only its own
 * topics' publishes, and the generator still serves the others.
 */
export function redisGeneratorEngine(
  link: GeneratorLink,
  config: Pick<RedisEngineConfig, 'leaseIntervals'>,
  options: RedisGeneratorOptions,
  dependencies: RedisEngineDependencies,
): BarEngine {
  const { logger, scheduler, reportError } = dependencies;
  /** Whether the latest publish of each topic this generator leads reached Redis. */
  const published = new Map<string, boolean>();
  /** The topics whose lease this generator holds and publishes: given up on a clean stop. */
  const leading = new Set<string>();
  let running: Subscription | undefined;
  return {
    bars: (topic, context) => options.compute.bars(topic, context),
    servesClients: false,
    readiness: () => {
      if (!link.ready()) return { ready: false, reason: `${link.name} unreachable` };
      const outcomes = [...published.values()];
      return outcomes.length > 0 && !outcomes.includes(true) ? { ready: false, reason: `publishes to ${link.name} fail` } : READY;
    },
    start: (hub) => {
      logger.info({ owner: options.owner, topics: options.topics.length, redis: link.name }, 'generator producing demanded topics');
      running = generatorLoop({
        link,
        topics: options.topics,
        periodMs: options.periodMs,
        leaseIntervals: config.leaseIntervals,
        owner: options.owner,
        scheduler,
        updates: (key) => {
          const topic = parseBarsTopicKey(key);
          if (!topic) throw new Error(`not a bars topic: ${key}`);
          return hub.updates(BARS_TOPIC, topic);
        },
        reportError,
        ...(options.tradeFed ? { tradeFed: options.tradeFed } : {}),
        onPublished: (topic, ok) => published.set(topic, ok),
        onLeadership: (topic, leads) => {
          if (leads) leading.add(topic);
          else {
            leading.delete(topic);
            published.delete(topic);
          }
          options.onLeadership?.(topic, leads);
        },
      }).subscribe();
    },
    stop: async () => {
      const held = [...leading];
      // Nothing is published after this; then the leases go, so a standby takes over at its next
      // slot rather than when they lapse. A Redis that does not answer holds the stop up at most
      // one slot's deadline (the leases then lapse as after a crash).
      running?.unsubscribe();
      if (link.ready() && held.length > 0) {
        const release = Promise.all(held.map((topic) => releaseLease(link.commands, link.keysOf(topic).lease, options.owner).catch(() => false)));
        await settledWithin(release, slotDeadlineMs(options.periodMs), scheduler);
      }
      link.close();
    },
  };
}
