import type { Redis } from 'ioredis';
import { defer, EMPTY, from, map, type Observable } from 'rxjs';
import { topicRedisKeys } from './keys.js';

/**
 * Reads a topic's last published frame. While Redis is down there is nothing to read (the
 * stream resumes with live updates once it is back), so it completes empty instead of erroring.
 */
export function lastFrameReader(redis: Redis): (topic: string) => Observable<string | undefined> {
  return (topic) =>
    defer(() =>
      redis.status === 'ready'
        ? from(redis.get(topicRedisKeys(topic).lastFrame)).pipe(map((text) => text ?? undefined))
        : EMPTY,
    );
}
