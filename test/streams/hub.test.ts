import { firstValueFrom, ReplaySubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TopicRequestError } from '../../src/domain/errors.js';
import { barsTopicKind } from '../../src/streams/bars-topic.js';
import type { BroadcastEventBody } from '../../src/streams/events.js';
import { Hub } from '../../src/streams/hub.js';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { marbleScheduler } from '../support/marbles.js';

const catalog = { symbols: ['AAPL'], resolutions: ['1' as const] };

function echoKind(create: TopicKind<string, string>['create']): TopicKind<string, string> {
  return {
    name: 'echo',
    parse: (payload) => (typeof payload === 'string' ? { ok: true, params: payload } : { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'string please' } }),
    key: (params) => `echo:${params}`,
    describe: (params) => ({ params }),
    create,
  };
}

describe('Hub', () => {
  it('registers kinds by valid, unique names', () => {
    const hub = new Hub({ scheduler: marbleScheduler(), shutdown$: new ReplaySubject(1), emit: () => undefined, enabled: true });
    hub.register(echoKind(() => new ReplaySubject<string>()));
    expect(hub.hasKind('echo')).toBe(true);
    expect(hub.kindNames()).toEqual(['echo']);
    expect(() => hub.register(echoKind(() => new ReplaySubject<string>()))).toThrow(/already registered/);
    expect(() => hub.register({ ...echoKind(() => new ReplaySubject<string>()), name: 'Bad Name' })).toThrow(/Invalid topic kind name/);
  });

  it('refuses unknown kinds, invalid payloads and everything while disabled', async () => {
    const options = { scheduler: marbleScheduler(), shutdown$: new ReplaySubject<void>(1), emit: () => undefined };
    const hub = new Hub({ ...options, enabled: true }).register(barsTopicKind({ catalog, seed: 1, periodMs: 10 }));
    expect(hub.open('nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    expect(hub.open('bars', { symbol: 'TSLA' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SYMBOL' } });
    await expect(firstValueFrom(hub.bars$('TSLA', '1'))).rejects.toBeInstanceOf(TopicRequestError);
    const disabled = new Hub({ ...options, enabled: false }).register(barsTopicKind({ catalog, seed: 1, periodMs: 10 }));
    expect(disabled.open('bars', { symbol: 'AAPL' })).toMatchObject({ ok: false, error: { code: 'BROADCASTER_DISABLED' } });
  });

  it('restarts a failing topic after a backoff and reports each failure', () => {
    const scheduler = marbleScheduler();
    const errors: string[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const emit = (event: BroadcastEventBody): void => {
        if (event.type === 'topic_error') errors.push(`${scheduler.now()} ${event.topic}`);
      };
      const hub = new Hub({ scheduler, shutdown$: new ReplaySubject(1), emit, enabled: true, retryBaseMs: 10, retryMaxMs: 40 });
      hub.register(echoKind(() => cold('-a-#')));
      const opened = hub.open('echo', 'x');
      if (!opened.ok) throw new Error(opened.error.message);
      expectObservable(opened.topic.stream$, '^ 30ms !').toBe('-a 12ms a 12ms a');
    });
    expect(errors).toEqual(['3 echo:x', '16 echo:x', '29 echo:x']);
  });

  it('completes every topic on shutdown', () => {
    const scheduler = marbleScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const shutdown$ = hot<void>('----s');
      const hub = new Hub({ scheduler, shutdown$, emit: () => undefined, enabled: true });
      hub.register(echoKind(() => cold('-a-b-c')));
      const opened = hub.open('echo', 'x');
      if (!opened.ok) throw new Error(opened.error.message);
      expectObservable(opened.topic.stream$).toBe('-a-b|');
    });
  });
});
