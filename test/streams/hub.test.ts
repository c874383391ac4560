import { firstValueFrom, NEVER, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TopicRequestError } from '../../src/domain/errors.js';
import { barsTopicKind } from '../../src/streams/bars-topic.js';
import type { BroadcastEventBody } from '../../src/streams/events.js';
import { Hub } from '../../src/streams/hub.js';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { marbleScheduler } from '../support/marbles.js';

const catalog = { symbols: ['AAPL'], resolutions: ['1' as const] };

function kindOf(name: string, create: TopicKind<{ id: string }, string>['create']): TopicKind<{ id: string }, string> {
  return {
    name,
    parse: (payload) => (typeof payload === 'string' ? { ok: true, params: { id: payload } } : { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'want a string' } }),
    key: ({ id }) => `${name}:${id}`,
    describe: ({ id }) => ({ id }),
    create,
  };
}

describe('Hub', () => {
  it('restarts a failing topic with doubling, capped delays and reports each error', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      const events: BroadcastEventBody[] = [];
      const hub = new Hub({ scheduler, shutdown$: NEVER, emit: (event) => events.push(event), enabled: true, retryBaseMs: 10, retryMaxMs: 20 });
      const kind = kindOf('ticks', () => source);
      hub.register(kind);
      expectObservable(hub.stream(kind, { id: 'x' }), '^ 60ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '12ms ^-!', '34ms ^-!', '56ms ^-!']);
      scheduler.flush();
      expect(events.filter((event) => event.type === 'topic_error')).toHaveLength(4);
    });
  });

  it('completes every topic on shutdown, and lets a topic use another', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const shutdown$ = hot('-----x');
      const hub = new Hub({ scheduler, shutdown$, emit: () => undefined, enabled: true });
      const base = kindOf('base', () => cold('a-b-c-d'));
      const derived = kindOf('derived', ({ id }, context) => context.stream(base, { id }) as Observable<string>);
      hub.register(base).register(derived);
      expectObservable(hub.stream(derived, { id: 'x' })).toBe('a-b-c|');
    });
  });

  it('validates what it opens, and refuses everything when disabled', () => {
    const hub = new Hub({ scheduler: marbleScheduler(), shutdown$: NEVER, emit: () => undefined, enabled: true });
    hub.register(kindOf('ticks', () => NEVER));
    expect(hub.hasKind('ticks')).toBe(true);
    expect(hub.kindNames()).toEqual(['ticks']);
    expect(hub.open('nope', 'x')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    expect(hub.open('ticks', 1)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(hub.open('ticks', 'x')).toMatchObject({ ok: true, topic: { kind: 'ticks', key: 'ticks:x', description: { id: 'x' } } });
    const disabled = new Hub({ scheduler: marbleScheduler(), shutdown$: NEVER, emit: () => undefined, enabled: false });
    disabled.register(kindOf('ticks', () => NEVER));
    expect(disabled.open('ticks', 'x')).toMatchObject({ ok: false, error: { code: 'BROADCASTER_DISABLED' } });
  });

  it('refuses kinds with bad or duplicate names', () => {
    const hub = new Hub({ scheduler: marbleScheduler(), shutdown$: NEVER, emit: () => undefined, enabled: true });
    expect(() => hub.register(kindOf('Bad Name', () => NEVER))).toThrow(/Invalid topic kind name/);
    hub.register(kindOf('ticks', () => NEVER));
    expect(() => hub.register(kindOf('ticks', () => NEVER))).toThrow(/already registered/);
  });

  it('serves bars$ for catalogued topics and a typed error for the rest', async () => {
    const scheduler = marbleScheduler();
    const hub = new Hub({ scheduler, shutdown$: NEVER, emit: () => undefined, enabled: true });
    hub.register(barsTopicKind({ catalog, seed: 1, periodMs: 1_000 }));
    expect(hub.bars$('AAPL', '1')).toBe(hub.bars$('AAPL', '1'));
    await expect(firstValueFrom(hub.bars$('MSFT', '1'))).rejects.toBeInstanceOf(TopicRequestError);
    await expect(firstValueFrom(hub.bars$('AAPL', '5'))).rejects.toMatchObject({ code: 'UNSUPPORTED_RESOLUTION' });
  });
});
