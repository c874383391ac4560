import { filter, map, merge, type Observable, type OperatorFunction, scan, takeWhile } from 'rxjs';

/** `ping`: send a ping now. `timeout`: the previous ping went unanswered; drop the peer. */
export type HeartbeatSignal = 'ping' | 'timeout';

interface HeartbeatState {
  readonly awaitingPong: boolean;
  readonly signal: HeartbeatSignal | undefined;
}

/**
 * Turns a peer's pongs into what to do next. At every tick of `ticks$` it asks for a ping,
 * unless the ping before is still unanswered: then it emits `timeout` and completes. Any
 * pong between two ticks answers the ping before it.
 *
 * `ticks$` is usually one `interval` shared by every connection of the gateway: one timer
 * for all peers instead of one per socket (10,000 sockets would otherwise mean 10,000 timers).
 *
 * ```
 * pongs (source): -----p-------
 * ticks$:         ---t--t--t
 * result:         ---P--P--(T|)      (the pong at 5 answers the ping at 3; the one at 6 is never answered)
 * ```
 */
export function heartbeat(ticks$: Observable<unknown>): OperatorFunction<unknown, HeartbeatSignal> {
  return (pong$) =>
    merge(pong$.pipe(map(() => 'pong' as const)), ticks$.pipe(map(() => 'tick' as const))).pipe(
      scan(
        (state: HeartbeatState, input): HeartbeatState => {
          if (input === 'pong') return { awaitingPong: false, signal: undefined };
          return { awaitingPong: true, signal: state.awaitingPong ? 'timeout' : 'ping' };
        },
        { awaitingPong: false, signal: undefined },
      ),
      map((state) => state.signal),
      filter((signal): signal is HeartbeatSignal => signal !== undefined),
      takeWhile((signal) => signal !== 'timeout', true),
    );
}
