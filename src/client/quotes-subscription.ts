import { Subject } from 'rxjs';
import { isRecord } from '../domain/json-record.js';
import type { QuoteData } from '../domain/quote.js';
import type { TopicSubscription } from './topic-subscription.js';

/**
 * One symbol's quotes (`quotes:SYMBOL`). A quote is a snapshot of the day so far, so nothing
 * is resumed: after a reconnect the next quote is as good as any missed one.
 */
export function quotesSubscription(key: string, symbol: string): TopicSubscription & { readonly quotes: Subject<QuoteData> } {
  const quotes = new Subject<QuoteData>();
  const payload = { symbols: [symbol] };
  return {
    key,
    quotes,
    subscribeRequest: () => ({ type: 'quotes.subscribe', payload }),
    unsubscribeRequest: () => ({ type: 'quotes.unsubscribe', payload }),
    subscribed: () => undefined,
    update(message) {
      if (isQuote(message.payload)) quotes.next(message.payload);
    },
    status: () => undefined,
    dropped: () => undefined,
    refused: (error) => quotes.error(error),
    ended: () => quotes.complete(),
  };
}

function isQuote(value: unknown): value is QuoteData {
  return isRecord(value) && (value['s'] === 'ok' || value['s'] === 'error') && typeof value['n'] === 'string' && isRecord(value['v']);
}
