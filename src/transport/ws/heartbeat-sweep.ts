import { map, type OperatorFunction } from 'rxjs';

/** What the heartbeat needs of a peer: whether its last ping is still unanswered. */
export interface HeartbeatPeer {
  readonly awaitingPong: boolean;
}

/** One sweep: the peers to ping now, and the peers whose previous ping went unanswered. */
export interface HeartbeatSweep<P> {
  readonly ping: readonly P[];
  readonly dead: readonly P[];
}

/**
 * At every tick of the source (one ticker for the whole gateway, so 10,000 sockets cost one
 * timer and no per-socket subscription), sorts the current peers: one that answered the
 * previous ping (or was never pinged) is pinged again, one still awaiting its pong is dead.
 * Pure: the subscriber sends the pings, marks them awaited and terminates the dead.
 *
 * ```
 * ticks (source): ---t-----t-----t
 * peer a pongs:   -----p-----p----
 * peer b pongs:   ----------------
 * result:         ---x-----y-----z     x: ping a b; y: ping a, b dead; z: ping a
 * ```
 */
export function sweepHeartbeats<P extends HeartbeatPeer>(peers: () => Iterable<P>): OperatorFunction<unknown, HeartbeatSweep<P>> {
  return map(() => {
    const ping: P[] = [];
    const dead: P[] = [];
    for (const peer of peers()) (peer.awaitingPong ? dead : ping).push(peer);
    return { ping, dead };
  });
}
