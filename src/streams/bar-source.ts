import type { Observable } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import type { BarsTopic } from '../domain/topic.js';
import type { TopicUpdate } from '../domain/update.js';
import type { Hub } from './hub.js';
import type { TopicContext } from './topic-kind.js';

/**
 * Whether a process can do its part now, and if not, why (GET /ready says it). A ready
 * process may still name topics that are stale (some of its topics' source is down).
 */
export type Readiness = { readonly ready: true; readonly stale?: readonly string[] } | { readonly ready: false; readonly reason: string };

export const READY: Readiness = { ready: true };

/**
 * Where bars come from: the seam between the hub and an engine, in the manner of
 * centrifuge's `Broker` or socket.io's adapters. The in-process engine (engines/memory)
 * computes bars itself and is what standalone runs; the Redis engines (engines/redis, and
 * engines/redis-cluster) carry the updates one generator computes with that same engine to
 * every gateway. The composition root picks one from config (engines/index.ts) and asks it
 * nothing else: the hub, the transport and the topic kinds never know which it has.
 */
export interface BarEngine {
  /**
   * The live updates of a bars topic, numbered at their source (`seq`, `epoch`) and marked
   * `final` on each bar's last one: cold; the hub shares, refcounts and retries it. An update
   * that arrives serialized keeps its frame (`SerializedUpdate`), forwarded byte for byte.
   */
  bars(topic: BarsTopic, context: TopicContext): Observable<TopicUpdate<Bar>>;
  /** False for a process that only produces bars (a generator): it serves no WebSocket. */
  readonly servesClients: boolean;
  /** Whether the engine can do its part now (its connections are up, its publishes land). */
  readiness(): Readiness;
  /** Called once the app listens; a generator starts producing the topics in demand. */
  start(hub: Hub): void;
  /** Releases connections and timers; called once on shutdown, after the hub completed. */
  stop(): Promise<void>;
}
