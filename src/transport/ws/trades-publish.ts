import { closeCodeOf, ERRORS, requestError } from '../../domain/errors.js';
import { isRecord } from '../../domain/json-record.js';
import type { PublishScope } from '../../domain/publish-scope.js';
import type { TradeResult } from '../../domain/trade-result.js';
import { tradesPublishError, tradesPublishResponse, type RequestId } from './protocol.js';

/**
 * What the transport needs of the ingest (src/ingest/ingest.ts implements it): publish a
 * batch and hear each trade's answer once it is durable; how many trades wait for a commit.
 */
export interface TradeIngest {
  publish(items: readonly unknown[], scope: PublishScope): Promise<TradeResult[]>;
  readonly pending: number;
  readonly maxPending: number;
}

/** Most trades one publish may carry (WebSocket and HTTP): a batch is answered as one message. */
export const MAX_PUBLISH_TRADES = 10_000;

/** Where a publish's answer goes: the connection that sent it. */
export interface PublishReplies {
  readonly isOpen: boolean;
  reply(frame: string): void;
  close(code: number, reason: string): void;
}

/**
 * `trades.publish` on a WebSocket: `{type, id?, payload: {trades: [...]}}`, answered by one
 * `trades.publish.response` with every trade's result, in order, once the admitted ones are
 * committed (so other requests on the socket may be answered before it: match by `id`).
 * Refused as a whole: a credential without the publish right (PUBLISH_FORBIDDEN), a payload
 * of another shape (INVALID_PAYLOAD). A publisher that keeps sending while more than twice
 * INGEST_MAX_PENDING trades wait for the store is closed with INGEST_OVERLOADED (1013); below
 * that, its acks are simply withheld until its trades are stored. Resolves once answered
 * (undefined: answered at once), so the session can stop reading a publisher meanwhile.
 */
export function publishTrades(ingest: TradeIngest, scope: PublishScope | undefined, payload: unknown, id: RequestId | undefined, replies: PublishReplies): Promise<void> | undefined {
  if (scope === undefined) {
    replies.reply(tradesPublishError(id, requestError('PUBLISH_FORBIDDEN', 'this connection may not publish trades: connect with a publisher token (PUBLISH_TOKENS) or a JWT with the publish scope')));
    return undefined;
  }
  const trades = isRecord(payload) ? payload['trades'] : undefined;
  if (!Array.isArray(trades) || trades.length === 0 || trades.length > MAX_PUBLISH_TRADES) {
    replies.reply(tradesPublishError(id, requestError('INVALID_PAYLOAD', `payload.trades must be an array of 1-${MAX_PUBLISH_TRADES} trades`)));
    return undefined;
  }
  if (ingest.pending + trades.length > 2 * ingest.maxPending) {
    replies.close(closeCodeOf('INGEST_OVERLOADED'), ERRORS.INGEST_OVERLOADED.message);
    return undefined;
  }
  return ingest.publish(trades, scope).then((results) => {
    if (replies.isOpen) replies.reply(tradesPublishResponse(id, results));
  });
}
