import { describe, expect, it } from 'vitest';
import { quotesSubscription } from '../../src/client/quotes-subscription.js';
import type { UpdateMessage } from '../../src/client/server-message.js';
import { barsKey, quotesKey } from '../../src/client/topic-keys.js';
import type { QuoteData } from '../../src/domain/quote.js';

const update = (payload: unknown): UpdateMessage => ({ kind: 'update', topicKind: 'quotes', topic: 'quotes:AAPL', payload, final: false, replay: false });

describe('quotesSubscription', () => {
  it('asks for its one symbol, passes on quotes in TradingView shape and ignores anything else', () => {
    const topic = quotesSubscription(quotesKey('BARCAST:aapl'), 'AAPL');
    expect(topic.key).toBe('quotes:AAPL');
    expect(topic.subscribeRequest()).toEqual({ type: 'quotes.subscribe', payload: { symbols: ['AAPL'] } });
    expect(topic.unsubscribeRequest()).toEqual({ type: 'quotes.unsubscribe', payload: { symbols: ['AAPL'] } });
    const seen: QuoteData[] = [];
    topic.quotes.subscribe((quote) => seen.push(quote));
    const quote = { s: 'error', n: 'AAPL', v: { error: 'halted' } };
    topic.update(update({ s: 'maybe', n: 'AAPL', v: {} }));
    topic.update(update({ s: 'ok', n: 'AAPL', v: 1 }));
    topic.update(update(quote));
    topic.status(true);
    topic.dropped();
    expect(seen).toEqual([quote]);
  });
});

describe('topic keys', () => {
  it('normalise symbols as the server does, and keep an unknown resolution as spelled for the server to refuse', () => {
    expect(barsKey(' barcast:msft ', 'd')).toBe('bars:MSFT:1D');
    expect(barsKey('NYSE:IBM', '1')).toBe('bars:NYSE:IBM:1');
    expect(barsKey('AAPL', '7')).toBe('bars:AAPL:7');
  });
});
