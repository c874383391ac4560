import { asyncScheduler, NEVER, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { barAt, historicalBar } from '../../src/domain/bar-path.js';
import { mockLastBar } from '../../src/domain/mock-bar.js';
import { quoteFromSessionBar } from '../../src/domain/quote.js';
import { BARS_KIND } from '../../src/domain/topic.js';
import { seriesHistory } from '../../src/streams/series-history.js';
import { Hub } from '../../src/streams/hub.js';
import { parseQuotesPayload, quotesTopicKind } from '../../src/streams/quotes-topic.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const catalog = { symbols: ['AAPL', 'MSFT'] };

function hubWithQuotes(): Hub {
  return new Hub({ scheduler: asyncScheduler, shutdown$: NEVER, emit: () => undefined, enabled: true }).register(quotesTopicKind(catalog));
}

describe('parseQuotesPayload', () => {
  it('takes symbols spelled as UDF takes them, and two spellings of one symbol once', () => {
    expect(parseQuotesPayload({ symbols: ['aapl', 'BARCAST:AAPL', 'NASDAQ:MSFT'] }, catalog)).toMatchObject({
      ok: true,
      requests: [{ ok: true, params: { symbol: 'AAPL' } }, { ok: false, error: { code: 'INVALID_SYMBOL' }, fields: { symbol: 'NASDAQ:MSFT' } }],
    });
  });

  it('yields one topic request per distinct symbol, in order', () => {
    expect(parseQuotesPayload({ symbols: ['MSFT', 'AAPL', 'MSFT'] }, catalog)).toEqual({
      ok: true,
      requests: [
        { ok: true, params: { symbol: 'MSFT' } },
        { ok: true, params: { symbol: 'AAPL' } },
      ],
    });
  });

  it('refuses an unknown symbol with its key, and a malformed one without', () => {
    const parsed = parseQuotesPayload({ symbols: ['NOPE', 'bad symbol!'] }, catalog);
    expect(parsed).toMatchObject({
      ok: true,
      requests: [
        { ok: false, error: { code: 'UNKNOWN_SYMBOL' }, fields: { symbol: 'NOPE' }, key: 'quotes:NOPE' },
        { ok: false, error: { code: 'INVALID_SYMBOL' }, fields: { symbol: 'bad symbol!' } },
      ],
    });
    expect(parsed.ok && 'requests' in parsed && parsed.requests[1]).not.toHaveProperty('key');
  });

  it.each([
    ['no object', 'AAPL'],
    ['no symbols', {}],
    ['symbols not an array', { symbols: 'AAPL' }],
    ['no symbol at all', { symbols: [] }],
    ['a symbol that is not a string', { symbols: ['AAPL', 1] }],
    ['too many symbols', { symbols: Array.from({ length: 101 }, (_, index) => `S${index}`) }],
  ])('refuses the whole request with INVALID_PAYLOAD for %s', (_case, payload) => {
    expect(parseQuotesPayload(payload, catalog)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });
});

describe('Hub.request with a multi-topic kind', () => {
  it('opens the served topics and turns a refused one into its TradingView error quote', () => {
    const opened = hubWithQuotes().request('quotes', { symbols: ['AAPL', 'NOPE', '??'] });
    if (!opened.ok || !('topics' in opened)) throw new Error('expected topics');
    const [aapl, nope, bad] = opened.topics;
    expect(aapl).toMatchObject({ ok: true, topic: { kind: 'quotes', key: 'quotes:AAPL', description: { symbol: 'AAPL' } } });
    expect(nope).toMatchObject({
      ok: false,
      rejection: { key: 'quotes:NOPE', value: { s: 'error', n: 'NOPE', v: { error: expect.stringContaining('Unknown symbol NOPE') as unknown } } },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_SYMBOL' } });
    expect(bad).not.toHaveProperty('rejection');
  });

  it('answers INTERNAL_ERROR, not a crash, when a kind throws while reading a request, and reports it', () => {
    const events: unknown[] = [];
    const hub = new Hub({ scheduler: asyncScheduler, shutdown$: NEVER, emit: (event) => events.push(event), enabled: true }).register({
      name: 'fragile',
      parse: () => {
        throw new Error('boom');
      },
      key: () => 'fragile:x',
      describe: () => ({}),
      create: () => of(1),
    });
    expect(hub.request('fragile', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } });
    expect(events).toEqual([{ type: 'topic_error', topic: 'fragile', error: new Error('boom') }]);
  });

  it('answers INTERNAL_ERROR for a kind whose key is outside its name prefix', () => {
    const hub = hubWithQuotes().register({
      name: 'sneaky',
      parse: () => ({ ok: true, params: {} }),
      key: () => 'bars:AAPL:1',
      describe: () => ({}),
      create: () => of(1),
    });
    expect(hub.request('sneaky', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } });
  });

  it('makes bars$ error with the request error when bars is not registered', () => {
    let failure: unknown;
    hubWithQuotes().bars$('AAPL', '1').subscribe({ error: (error: unknown) => (failure = error) });
    expect(failure).toMatchObject({ code: 'UNKNOWN_TYPE' });
  });

  it('answers a request that names several topics with each of them, and says it named several', () => {
    expect(hubWithQuotes().request('quotes', { symbols: ['AAPL', 'ZZZ'] })).toMatchObject({
      ok: true,
      several: true,
      topics: [{ ok: true, topic: { key: 'quotes:AAPL' } }, { ok: false, error: { code: 'UNKNOWN_SYMBOL' } }],
    });
  });

  it('makes bars$ error with INVALID_PAYLOAD when the bars kind answers with several topics', () => {
    const hub = hubWithQuotes().register({
      name: 'bars',
      parse: () => ({ ok: true, requests: [] }),
      key: () => 'bars:x',
      describe: () => ({}),
      create: () => of(1),
    });
    let failure: unknown;
    hub.bars$('AAPL', '1').subscribe({ error: (error: unknown) => (failure = error) });
    expect(failure).toMatchObject({ code: 'INVALID_PAYLOAD' });
  });
});

describe('quotes:SYMBOL with the series history', () => {
  const SEED = 42;
  const DAY = 86_400_000;
  const dayIndex = 20_000;
  const minute = { seed: SEED, symbol: 'AAPL', resolution: '1' } as const;
  const session = { seed: SEED, symbol: 'AAPL', resolution: '1D' } as const;

  it('quotes the whole UTC day from the first update, with the historical close of the day before', () => {
    // Minute bars as the live stream emits them: two updates at 13:30 of one day, then the next day.
    const first = dayIndex * DAY + 13.5 * 3_600_000 + 10_000;
    const m1 = mockLastBar(undefined, first, minute);
    const m2 = mockLastBar(m1, first + 20_000, minute);
    const m3 = mockLastBar(undefined, (dayIndex + 1) * DAY + 1_000, minute);
    const history = seriesHistory(SEED);
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const minutes$ = cold('a-b-c', { a: m1, b: m2, c: m3 });
      const hub = new Hub({ scheduler: asyncScheduler, shutdown$: NEVER, emit: () => undefined, enabled: true })
        .register({ name: BARS_KIND, parse: () => ({ ok: true, params: {} }), key: () => 'bars:AAPL:1', describe: () => ({}), create: () => minutes$ })
        .register(quotesTopicKind(catalog, history));
      const opened = hub.request('quotes', { symbols: ['AAPL'] });
      if (!opened.ok || !('topics' in opened) || !opened.topics[0]?.ok) throw new Error('expected an opened topic');
      expectObservable(opened.topics[0].topic.stream$).toBe('a-b-c', {
        a: quoteFromSessionBar('AAPL', barAt(session, first), historicalBar(session, dayIndex - 1).close),
        b: quoteFromSessionBar('AAPL', barAt(session, first + 20_000), historicalBar(session, dayIndex - 1).close),
        c: quoteFromSessionBar('AAPL', { ...m3, time: (dayIndex + 1) * DAY }, historicalBar(session, dayIndex).close),
      });
    });
  });

  it('quotes a trade-fed symbol from its trade-built minutes, never from the series history, and a mock symbol as before', () => {
    const today = dayIndex * DAY;
    const traded = { time: today + 600_000, open: 5, high: 6, low: 4, close: 5.5, volume: 9 };
    const tradeFed = {
      isTradeFed: (symbol: string) => symbol === 'MSFT',
      recentFinals: () => ({ bars: [{ ...traded, time: today - 60_000, close: 4.5 }], truncated: false }),
      forming: () => traded,
    };
    const history = seriesHistory(SEED);
    const m1 = mockLastBar(undefined, today + 13.5 * 3_600_000, minute);
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const minutes = { AAPL: cold('-a', { a: m1 }), MSFT: cold('--b', { b: { ...traded, close: 6, high: 6.5, volume: 10 } }) };
      const hub = new Hub({ scheduler: asyncScheduler, shutdown$: NEVER, emit: () => undefined, enabled: true })
        .register({ name: BARS_KIND, parse: () => ({ ok: true, params: {} }), key: ({ symbol }: { symbol: 'AAPL' | 'MSFT' }) => `bars:${symbol}:1`, describe: () => ({}), create: ({ symbol }: { symbol: 'AAPL' | 'MSFT' }) => minutes[symbol] })
        .register(quotesTopicKind(catalog, history, tradeFed));
      const opened = hub.request('quotes', { symbols: ['AAPL', 'MSFT'] });
      if (!opened.ok || !('topics' in opened) || !opened.topics[0]?.ok || !opened.topics[1]?.ok) throw new Error('expected two opened topics');
      expectObservable(opened.topics[0].topic.stream$).toBe('-a', { a: quoteFromSessionBar('AAPL', barAt(session, m1.time), historicalBar(session, dayIndex - 1).close) });
      expectObservable(opened.topics[1].topic.stream$).toBe('q-r', {
        q: quoteFromSessionBar('MSFT', { ...traded, time: today }, 4.5),
        r: quoteFromSessionBar('MSFT', { ...traded, time: today, close: 6, high: 6.5, volume: 10 }, 4.5),
      });
    });
  });
});
