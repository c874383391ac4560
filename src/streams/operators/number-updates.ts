import { defer, map, type MonoTypeOperatorFunction } from 'rxjs';
import type { TopicUpdate } from '../../domain/update.js';

/**
 * Numbers a topic's updates: each subscription opens a fresh epoch (`newEpoch()`) and stamps
 * `seq` 1, 2, 3 ... on the updates that pass, so a client can tell it missed some and can
 * tell a restarted numbering (a new epoch) from a gap.
 *
 * ```
 * source:          --a--b--c--|
 * numberUpdates:   --1--2--3--|     (all of epoch e, made on subscribe)
 * ```
 */
export function numberUpdates<T>(newEpoch: () => string): MonoTypeOperatorFunction<TopicUpdate<T>> {
  return (source) =>
    defer(() => {
      const epoch = newEpoch();
      let seq = 0;
      return source.pipe(map((update) => ({ ...update, seq: (seq += 1), epoch })));
    });
}
