import type { Cluster } from 'ioredis';
import type { SchedulerLike } from 'rxjs';
import { settledWithin } from '../redis/deadline.js';
import { demandedTopics } from '../redis/demand.js';
import { topicClusterKeys } from '../redis/keys.js';
import { topicSlot } from './topic-slot.js';

const SHARDED = { command: 'SHARDNUMSUB', channelOf: (topic: string) => topicClusterKeys(topic).channel } as const;

/**
 * The topics someone in the cluster listens to, read shard by shard. A gateway SSUBSCRIBEs a
 * topic's sharded channel on the primary that owns its slot, exactly while it has local
 * subscribers, so `PUBSUB SHARDNUMSUB` on that primary is the demand, as NUMSUB is on one
 * Redis. SHARDNUMSUB counts only the node it runs on, hence one command per primary, each
 * with the channels of its own slots, all in parallel.
 *
 * A shard that does not answer (down, failing over, frozen) is reported and its topics count
 * as not demanded for this slot; the other shards' topics go on.
 */
export interface ShardDemandOptions {
  readonly reportError: (error: unknown) => void;
  /** How long a primary may take to answer (the slot's deadline): a frozen one must not stall the slot. */
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
}

export async function shardDemandedTopics(cluster: Cluster, topics: readonly string[], options: ShardDemandOptions): Promise<string[]> {
  const { reportError, timeoutMs, scheduler } = options;
  const byPrimary = new Map<string, string[]>();
  for (const topic of topics) {
    const primary = cluster.slots[topicSlot(topic)]?.[0];
    if (primary === undefined) continue; // the slot map is not known yet, or the slot is unserved
    byPrimary.set(primary, [...(byPrimary.get(primary) ?? []), topic]);
  }
  const primaries = new Map(cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const answers = await Promise.all(
    [...byPrimary].map(async ([key, shardTopics]) => {
      const node = primaries.get(key);
      if (!node) return [];
      const answer = demandedTopics(node, shardTopics, SHARDED);
      try {
        if (await settledWithin(answer, timeoutMs, scheduler)) return await answer;
        reportError(new Error(`redis cluster node ${key} did not answer PUBSUB SHARDNUMSUB within ${timeoutMs} ms`));
      } catch (error) {
        reportError(error);
      }
      return [];
    }),
  );
  const demanded = new Set(answers.flat());
  return topics.filter((topic) => demanded.has(topic));
}
