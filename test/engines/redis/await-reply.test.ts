import { describe, it } from 'vitest';
import type { TradeResult } from '../../../src/domain/trade-result.js';
import { awaitReply } from '../../../src/engines/redis/await-reply.js';
import type { ForwardReply } from '../../../src/engines/redis/trade-stream.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

const accepted: readonly TradeResult[] = [{ status: 'accepted' }];
const duplicate: readonly TradeResult[] = [{ status: 'duplicate' }];
const replies: Record<string, ForwardReply> = { a: { requestId: 'a', results: duplicate }, b: { requestId: 'b', results: accepted } };

describe('awaitReply', () => {
  it('answers with the results of its own request as they come, and lets go of the channel', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const replies$ = hot('--a--b--a--', replies);
      expectObservable(awaitReply(replies$, 'b', 10, scheduler)).toBe('-----(r|)', { r: accepted });
      expectSubscriptions(replies$.subscriptions).toBe('^----!');
    });
  });

  it('answers undefined once the timeout passes without its answer: the trades are refused, never acknowledged', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const replies$ = hot('--a--a-----b--', replies);
      expectObservable(awaitReply(replies$, 'b', 10, scheduler)).toBe('10ms (u|)', { u: undefined });
      expectSubscriptions(replies$.subscriptions).toBe('^---------!');
    });
  });

  it('takes only the first answer when a request is answered twice (two generators that both thought they led)', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ hot, expectObservable }) => {
      const twice = { ...replies, c: { requestId: 'b', results: duplicate } };
      const replies$ = hot('---b-c--', twice);
      expectObservable(awaitReply(replies$, 'b', 10, scheduler)).toBe('---(r|)', { r: accepted });
    });
  });
});
