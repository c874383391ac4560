import { filter, interval, map, merge, type OperatorFunction, scan, type SchedulerLike, takeWhile } from 'rxjs';

/** `ping`: send a ping now. `timeout`: the previous ping went unanswered; drop the peer. */
export type HeartbeatSignal = 'ping' | 'timeout';

interface HeartbeatState {
  readonly awaitingPong: boolean;
  readonly signal: HeartbeatSignal | undefined;
}

/**
 * Turns a peer's pongs into what to do next. Every `intervalMs` it asks for a ping, unless
 * the ping before is still unanswered: then it emits `timeout` and completes. Any pong
 * between two ticks answers the ping before it.
 *
 * ```
 * pongs (source): -----p-------
 * intervalMs = 3: ---P--P--(T|)      (the pong at 5 answers the ping at 3; the one at 6 is never answered)
 * ```
 */
export function heartbeat(intervalMs: number, scheduler: SchedulerLike): OperatorFunction<unknown, HeartbeatSignal> {
  return (pong$) =>
    merge(pong$.pipe(map(() => 'pong' as const)), interval(intervalMs, scheduler).pipe(map(() => 'tick' as const))).pipe(
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
