import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Lets a value through only if its `order` is greater than that of every value let through
 * before (per subscription): duplicates and stragglers are dropped.
 *
 * ```
 * source (order): --3--1--3--4--2--5--|
 * result:         --3--------4-----5--|
 * ```
 *
 * A gateway merges the stored last bar with the live channel; whichever arrives second may
 * be older, and a subscriber must never see the series go back.
 */
export function onlyNewer<T>(order: (value: T) => number): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let latest = Number.NEGATIVE_INFINITY;
      return source.pipe(
        filter((value) => {
          const rank = order(value);
          if (!(rank > latest)) return false;
          latest = rank;
          return true;
        }),
      );
    });
}
