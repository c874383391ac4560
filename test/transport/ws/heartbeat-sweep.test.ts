import { map, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { sweepHeartbeats, type HeartbeatSweep } from '../../../src/transport/ws/heartbeat-sweep.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

interface FakePeer {
  readonly name: string;
  awaitingPong: boolean;
}

/** Runs the sweep the way the gateway does: ping marks the pong awaited, dead peers are dropped. */
function gatewayLike(peers: Set<FakePeer>) {
  return tap((sweep: HeartbeatSweep<FakePeer>) => {
    for (const peer of sweep.ping) peer.awaitingPong = true;
    for (const peer of sweep.dead) peers.delete(peer);
  });
}

const names = map((sweep: HeartbeatSweep<FakePeer>) => `${sweep.ping.map((peer) => peer.name).join('')}/${sweep.dead.map((peer) => peer.name).join('')}`);

describe('sweepHeartbeats', () => {
  it('pings every peer that answered, and finds dead the one whose ping went unanswered by the next tick', () => {
    const a: FakePeer = { name: 'a', awaitingPong: false };
    const b: FakePeer = { name: 'b', awaitingPong: false };
    const peers = new Set([a, b]);
    marbleScheduler(vitestEqual).run(({ cold, hot, expectObservable }) => {
      hot('-----p-----p-----p').subscribe(() => (a.awaitingPong = false));
      const ticks = cold('---t-----t-----t-----t-----t');
      expectObservable(ticks.pipe(sweepHeartbeats(() => peers), gatewayLike(peers), names)).toBe('---x-----y-----z-----z-----w', {
        x: 'ab/',
        y: 'a/b',
        z: 'a/',
        w: '/a', // a's last pong (17) answered the ping at 15; the ping at 21 went unanswered
      });
    });
    expect([...peers]).toEqual([]);
  });

  it('counts a pong that arrives any time before the next tick', () => {
    const a: FakePeer = { name: 'a', awaitingPong: false };
    const peers = new Set([a]);
    marbleScheduler(vitestEqual).run(({ cold, hot, expectObservable }) => {
      hot('------------------p').subscribe(() => (a.awaitingPong = false));
      expectObservable(cold('---t----------------t').pipe(sweepHeartbeats(() => peers), gatewayLike(peers), names)).toBe('---x----------------y', {
        x: 'a/',
        y: 'a/',
      });
    });
  });

  it('sweeps whatever peers there are at each tick', () => {
    const peers = new Set<FakePeer>();
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      cold('----j').subscribe(() => peers.add({ name: 'c', awaitingPong: false }));
      expectObservable(cold('---t--t').pipe(sweepHeartbeats(() => peers), gatewayLike(peers), names)).toBe('---x--y', { x: '/', y: 'c/' });
    });
  });
});
