import { Observable, type OperatorFunction } from 'rxjs';

/**
 * Like `scan`, but a throwing accumulator does not kill the stream: the failure is handed to
 * `onFailure`, nothing is emitted for that value, and the state stays what it was, so the
 * next value carries on from the last good state.
 *
 * ```
 * source:        --a--b--c--|
 * accumulator:        throws on b
 * result:        --A-----C--|      (C folds c into A)
 * ```
 */
export function scanSkippingFailures<V, A>(
  accumulator: (state: A | undefined, value: V) => A,
  onFailure: (error: unknown, value: V) => void,
): OperatorFunction<V, A> {
  return (source) =>
    new Observable<A>((subscriber) => {
      let state: A | undefined;
      return source.subscribe({
        next(value) {
          let next: A;
          try {
            next = accumulator(state, value);
          } catch (error) {
            onFailure(error, value);
            return;
          }
          state = next;
          subscriber.next(next);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
