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
}

export function topicRedisKeys(topic: string): TopicRedisKeys {
  return {
    channel: `${PREFIX}${topic}`,
    lease: `${PREFIX}lease:${topic}`,
    lastFrame: `${PREFIX}last:${topic}`,
    lastTs: `${PREFIX}ts:${topic}`,
  };
}
