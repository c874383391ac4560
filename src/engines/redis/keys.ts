/**
 * Where a topic lives in Redis. One prefix for the whole cluster, so a Redis shared with
 * other software sees barcast's keys and channels grouped together.
 */
const PREFIX = 'barcast:';

export interface TopicRedisKeys {
  /** Pub/sub channel carrying the topic's serialized update frames. */
  readonly channel: string;
  /** Holds the id of the generator that produces the topic (SET NX PX). */
  readonly lease: string;
  /** The last published update frame, so a new subscriber starts at once. */
  readonly lastFrame: string;
  /** The event time of the last published update: the guard against publishing one twice. */
  readonly lastTs: string;
  /**
   * Of a trade-fed symbol's base topic (`bars:SYMBOL:1`): the Redis Stream gateways forward its
   * published trades to, read by the generator that holds this topic's lease (same slot).
   */
  readonly tradeStream: string;
}

/** A topic's keys on one Redis: `barcast:bars:AAPL:1`, `barcast:lease:bars:AAPL:1`, ... */
export function topicRedisKeys(topic: string): TopicRedisKeys {
  return keysNamed(topic);
}

/**
 * A topic's keys on a Redis Cluster: the same layout with the topic as hash tag
 * (`barcast:{bars:AAPL:1}`, `barcast:lease:{bars:AAPL:1}`, ...), so the channel, lease and
 * last-frame keys of a topic share one slot. The publish script touches all of them at once,
 * which a cluster allows only within one slot, and the topic's sharded channel lives on the
 * shard that holds its keys.
 */
export function topicClusterKeys(topic: string): TopicRedisKeys {
  return keysNamed(`{${topic}}`);
}

function keysNamed(name: string): TopicRedisKeys {
  return {
    channel: `${PREFIX}${name}`,
    lease: `${PREFIX}lease:${name}`,
    lastFrame: `${PREFIX}last:${name}`,
    lastTs: `${PREFIX}ts:${name}`,
    tradeStream: `${PREFIX}trades:${name}`,
  };
}

/**
 * The channel a gateway hears its forwarded trades' answers on (one per gateway process). On
 * a cluster it is a sharded channel like the topics': its name alone picks its shard.
 */
export function ingestReplyChannel(gatewayId: string): string {
  return `${PREFIX}ingest:reply:{${gatewayId}}`;
}
