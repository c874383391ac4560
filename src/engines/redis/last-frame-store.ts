import type { Cluster, Redis } from 'ioredis';
import { defer, EMPTY, from, map, type Observable } from 'rxjs';
import { topicRedisKeys, type TopicRedisKeys } from './keys.js';

/**
 * Reads a topic's last published frame. While Redis is down there is nothing to read (the
 * stream resumes with live updates once it is back), so it completes empty instead of erroring.
 */
export function lastFrameReader(
  redis: Redis | Cluster,
  keysOf: (topic: string) => TopicRedisKeys = topicRedisKeys,
): (topic: string) => Observable<string | undefined> {
  return (topic) =>
    defer(() =>
      redis.status === 'ready'
        ? from(redis.get(keysOf(topic).lastFrame)).pipe(map((text) => text ?? undefined))
        : EMPTY,
    );
}
