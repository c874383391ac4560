import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';

/**
 * The topics someone in the cluster listens to, read shard by shard. A gateway SSUBSCRIBEs a
 * topic's sharded channel on the primary that owns its slot, exactly while it has local
 * subscribers, so `PUBSUB SHARDNUMSUB` on that primary is the demand, as NUMSUB is on one
 * Redis. (SHARDNUMSUB counts only the node it runs on, hence one command per primary, each
 * with the channels of its slots.)
 *
 * A shard that does not answer (down, failing over) is reported and its topics count as
 * not demanded for this slot; the other shards' topics go on.
 */
export async function shardDemandedTopics(
  cluster: Cluster,
  topics: readonly string[],
  channelOf: (topic: string) => string,
  reportError: (error: unknown) => void,
): Promise<string[]> {
  const byPrimary = new Map<string, string[]>();
  for (const topic of topics) {
    const primary = cluster.slots[calculateSlot(channelOf(topic))]?.[0];
    if (primary === undefined) continue; // slot map not known yet, or the slot is unserved
    byPrimary.set(primary, [...(byPrimary.get(primary) ?? []), topic]);
  }
  const primaries = new Map(cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const answers = await Promise.all(
    [...byPrimary].map(async ([key, shardTopics]) => {
      const node = primaries.get(key);
      if (!node) return [];
      try {
        return await demandOn(node, shardTopics, channelOf);
      } catch (error) {
        reportError(error);
        return [];
      }
    }),
  );
  const demanded = new Set(answers.flat());
  return topics.filter((topic) => demanded.has(topic));
}

async function demandOn(node: Redis, topics: readonly string[], channelOf: (topic: string) => string): Promise<string[]> {
  const reply = (await node.call('PUBSUB', 'SHARDNUMSUB', ...topics.map(channelOf))) as unknown[];
  // The reply is [channel, count, channel, count, ...] in the order asked.
  return topics.filter((_topic, index) => Number(reply[index * 2 + 1]) > 0);
}
