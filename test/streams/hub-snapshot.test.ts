import { NEVER, type Observable } from 'rxjs';
import { describe, it } from 'vitest';
import { Hub } from '../../src/streams/hub.js';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

function kindOf(source: () => Observable<string>): TopicKind<{ id: string }, string> {
  return {
    name: 'ticks',
    parse: () => ({ ok: true, params: { id: 'x' } }),
    key: ({ id }) => `ticks:${id}`,
    describe: ({ id }) => ({ id }),
    create: () => source(),
  };
}

describe('Hub snapshot on subscribe', () => {
  it('gives a subscriber that joins a running topic its current value at once', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a---b---c---|');
      const hub = new Hub({ scheduler, shutdown$: NEVER, emit: () => undefined, enabled: true }).register(kindOf(() => source));
      const topic$ = hub.stream(kindOf(() => source), { id: 'x' });
      expectObservable(topic$, '^-----------!').toBe('a---b---c---');
      expectObservable(topic$, '------^-----!').toBe('------b-c---');
      expectSubscriptions(source.subscriptions).toBe('^-----------!');
    });
  });

  it('does not replay a stale value after the topic stopped and restarted', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--b------');
      const kind = kindOf(() => source);
      const hub = new Hub({ scheduler, shutdown$: NEVER, emit: () => undefined, enabled: true }).register(kind);
      const topic$ = hub.stream(kind, { id: 'x' });
      expectObservable(topic$, '^---!').toBe('a--b-');
      expectObservable(topic$, '------^----!').toBe('------a--b--');
      expectSubscriptions(source.subscriptions).toBe(['^---!', '------^----!']);
    });
  });
});
