import type { BarEngine, Readiness } from '../streams/bar-source.js';
import type { Gateway } from '../transport/ws/gateway.js';
import type { AppPhase } from './app-status.js';

/**
 * Ready while running and the engine can do its part. Stale topics are named; they make the
 * gateway not ready only when every topic its clients watch is stale (its source as a whole
 * is down or out of memory): with some stale (one Redis Cluster shard down), every gateway
 * sees the same, and a balancer that drained them all would only make it worse.
 */
export function appReadiness(phase: AppPhase, engine: BarEngine, gateway: Gateway | undefined): Readiness {
  if (phase !== 'running') return { ready: false, reason: phase };
  const engineReadiness = engine.readiness();
  if (!engineReadiness.ready || !gateway) return engineReadiness;
  const { watched, stale } = gateway.liveTopics();
  if (stale.length === 0) return engineReadiness;
  const named = stale.slice(0, 20);
  return stale.length === watched ? { ready: false, reason: `every watched topic is stale: ${named.join(', ')}` } : { ready: true, stale: named };
}
