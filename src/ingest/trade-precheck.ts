import { requestError } from '../domain/errors.js';
import { mayPublish, type PublishScope } from '../domain/publish-scope.js';
import type { Trade } from '../domain/trade.js';
import { admitTrade, type AdmissionRules } from '../domain/trade-admission.js';
import { parseTrade } from '../domain/trade-parse.js';
import { refused, type TradeResult } from '../domain/trade-result.js';

/** A publish after the checks: the refusals in place, and the trades that may go on (with their place in it). */
export interface PrecheckedPublish {
  /** One slot per item; the refused ones filled, the admitted ones still empty. */
  readonly results: TradeResult[];
  readonly admitted: readonly { readonly trade: Trade; readonly index: number }[];
}

/**
 * Each of `items` (untrusted JSON) parsed, checked against the publisher's right and admitted
 * (admitTrade) on its own, so a bad one never takes the good ones of its publish. What the
 * ingest runs before a commit, and a gateway before it forwards (With Redis), so a bad trade
 * is refused at once, with its code, wherever it arrives.
 */
export function precheckTrades(items: readonly unknown[], scope: PublishScope, rules: AdmissionRules, now: number, closing: boolean): PrecheckedPublish {
  const results: TradeResult[] = new Array<TradeResult>(items.length);
  const admitted: { trade: Trade; index: number }[] = [];
  items.forEach((item, index) => {
    const parsed = parseTrade(item);
    if (!parsed.ok) return void (results[index] = refused(parsed.error));
    const { trade } = parsed;
    if (closing) return void (results[index] = refused(requestError('SHUTTING_DOWN', 'the server is shutting down; publish again after it restarts')));
    if (!mayPublish(scope, trade.symbol)) return void (results[index] = refused(requestError('PUBLISH_FORBIDDEN', `your credential may not publish ${trade.symbol}`)));
    const refusal = admitTrade(trade, rules, now);
    if (refusal) return void (results[index] = refused(refusal));
    admitted.push({ trade, index });
  });
  return { results, admitted };
}
