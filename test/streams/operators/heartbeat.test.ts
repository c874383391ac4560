import { interval, share } from 'rxjs';
import { describe, it } from 'vitest';
import { heartbeat } from '../../../src/streams/operators/heartbeat.js';
import { marbleScheduler } from '../../support/marbles.js';

describe('heartbeat', () => {
  it('asks for a ping every interval while each ping is answered before the next', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pongs = hot('----p--p--p--p--');
      expectObservable(pongs.pipe(heartbeat(interval(3, scheduler))), '^--------------!').toBe('---a--a--a--a--', { a: 'ping' });
    });
  });

  it('times out at the tick after an unanswered ping, and completes', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pongs = hot('-----p------');
      expectObservable(pongs.pipe(heartbeat(interval(3, scheduler)))).toBe('---a--a--(b|)', { a: 'ping', b: 'timeout' });
    });
  });

  it('times out after two intervals for a peer that never answers', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-').pipe(heartbeat(interval(5, scheduler)))).toBe('-----a----(b|)', { a: 'ping', b: 'timeout' });
    });
  });

  it('stops its timer when unsubscribed (the socket closed)', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-').pipe(heartbeat(interval(2, scheduler))), '^---!').toBe('--a--', { a: 'ping' });
    });
  });

  it('lets many peers share one ticker, each judged by its own pongs', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, cold }) => {
      const ticker = cold('---t--t--t--t--t');
      const ticks$ = ticker.pipe(share());
      const lively = hot('----p--p--p--p--');
      const silent = hot('----p-----------');
      expectObservable(lively.pipe(heartbeat(ticks$)), '^-------------!').toBe('---a--a--a--a-', { a: 'ping' });
      expectObservable(silent.pipe(heartbeat(ticks$))).toBe('---a--a--(b|)', { a: 'ping', b: 'timeout' });
      // one subscription to the ticker for both peers, released when the last one goes
      expectSubscriptions(ticker.subscriptions).toBe('^-------------!');
    });
  });
});

