/**
 * The topic keys one connection is subscribed to, as a value: none, one key, or a Set. Most
 * connections are on a single topic, and a Set of one costs about 150 bytes of heap where a
 * string field costs 8, which 10,000 connections pay 10,000 times; so a Set is made only for
 * a second topic. Pure functions over the value; the session keeps it in one field.
 */
export type SubscribedTopics = string | Set<string> | undefined;

export function hasTopic(topics: SubscribedTopics, key: string): boolean {
  return typeof topics === 'string' ? topics === key : (topics?.has(key) ?? false);
}

export function topicCount(topics: SubscribedTopics): number {
  return typeof topics === 'string' ? 1 : (topics?.size ?? 0);
}

/** `topics` with `key` added (a Set, once there are two, is added to in place). */
export function withTopic(topics: SubscribedTopics, key: string): SubscribedTopics {
  if (topics === undefined) return key;
  if (typeof topics === 'string') return topics === key ? topics : new Set([topics, key]);
  topics.add(key);
  return topics;
}

/** `topics` without `key` (deleted in place from a Set). */
export function withoutTopic(topics: SubscribedTopics, key: string): SubscribedTopics {
  if (typeof topics === 'string') return topics === key ? undefined : topics;
  topics?.delete(key);
  return topics;
}

/** A copy of the keys, in the order they were added: safe to iterate while removing them. */
export function topicList(topics: SubscribedTopics): string[] {
  return typeof topics === 'string' ? [topics] : [...(topics ?? [])];
}
