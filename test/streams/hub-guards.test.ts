import { firstValueFrom, NEVER, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TopicRequestError } from '../../src/domain/errors.js';
import { barsTopicKind } from '../../src/streams/bars-topic.js';
import { Hub } from '../../src/streams/hub.js';
import type { AnyTopicKind } from '../../src/streams/topic-kind.js';
import { marbleScheduler } from '../support/marbles.js';

function hub(enabled = true): Hub {
  return new Hub({ scheduler: marbleScheduler(), shutdown$: NEVER, emit: () => undefined, enabled }).register(
    barsTopicKind({ catalog: { symbols: ['AAPL'], resolutions: ['1'] }, seed: 1, periodMs: 1_000 }),
  );
}

const kind = (name: string): AnyTopicKind => ({
  name,
  parse: () => ({ ok: true, params: {} }),
  key: () => `${name}:x`,
  describe: () => ({}),
  create: () => of(1),
});

describe('Hub guards', () => {
  it('refuses kind names that could break topic keys or collide', () => {
    const registry = hub();
    for (const name of ['', 'Bars', '__proto__', 'a:b', 'x'.repeat(40)]) {
      expect(() => registry.register(kind(name)), name).toThrow(/Invalid topic kind name/);
    }
    expect(() => registry.register(kind('bars'))).toThrow(/already registered/);
    expect(registry.register(kind('quotes')).kindNames()).toEqual(['bars', 'quotes']);
  });

  it('answers a request for an unknown kind, or any kind while disabled, with a typed error', () => {
    expect(hub().open('constructor', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    expect(hub(false).open('bars', { symbol: 'AAPL' })).toMatchObject({ ok: false, error: { code: 'BROADCASTER_DISABLED' } });
  });

  it('errors bars$ with a TopicRequestError carrying the code for a topic that is not served', async () => {
    const error: unknown = await firstValueFrom(hub().bars$('ZZZZ', '1')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TopicRequestError);
    expect(error).toMatchObject({ code: 'UNKNOWN_SYMBOL', name: 'TopicRequestError' });
  });
});
