import { defer, filter, map, type OperatorFunction } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import type { Resolution } from '../../domain/resolution.js';
import { isClosingUpdate, type TopicUpdate } from '../../domain/update.js';

/**
 * Says of each bar update whether it is the bar's last (`final`): the one computed at the
 * period's last millisecond, whose values are history's. A bar is final once: a second update
 * of a closed bar at or before its close (two clocks ticking at that instant, a straggler)
 * is dropped, so a subscriber never sees a bar change after its final.
 *
 * ```
 * source (ts):   --10--30--59999--59999--60000--|     resolution '1', bar times 0 0 0 0 60000
 * markFinals:    --f---f---T------------f------|     f: final false, T: final true
 * ```
 */
export function markFinals(resolution: Resolution): OperatorFunction<TopicUpdate<Bar>, TopicUpdate<Bar>> {
  return (source) =>
    defer(() => {
      let closed: TopicUpdate<Bar> | undefined;
      return source.pipe(
        filter((update) => closed === undefined || update.value.time > closed.value.time || (update.value.time === closed.value.time && update.ts > closed.ts)),
        map((update) => {
          const final = isClosingUpdate(resolution, update.value.time, update.ts);
          if (final) closed = update;
          return { ...update, final };
        }),
      );
    });
}
