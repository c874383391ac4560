import type { RequestError } from './errors.js';

/**
 * The answer to one published trade: stored (`accepted`), already stored under the same
 * symbol and id (`duplicate`, not counted twice), or refused with a code of the error table.
 * `accepted` and `duplicate` are sent only once the trade is durable.
 */
export type TradeResult =
  | { readonly status: 'accepted' }
  | { readonly status: 'duplicate' }
  | { readonly status: 'refused'; readonly code: RequestError['code']; readonly message: string };

export const ACCEPTED: TradeResult = { status: 'accepted' };
export const DUPLICATE: TradeResult = { status: 'duplicate' };

export function refused({ code, message }: RequestError): TradeResult {
  return { status: 'refused', code, message };
}

/** How a publish went, counted: what a response carries beside each trade's result. */
export function resultCounts(results: readonly TradeResult[]): { readonly accepted: number; readonly duplicates: number; readonly refused: number } {
  let accepted = 0;
  let duplicates = 0;
  for (const result of results) {
    if (result.status === 'accepted') accepted += 1;
    else if (result.status === 'duplicate') duplicates += 1;
  }
  return { accepted, duplicates, refused: results.length - accepted - duplicates };
}

/** A publish's results by what they were: `accepted`, `duplicate`, or the code each refused one had. */
export function resultsByOutcome(results: readonly TradeResult[]): Readonly<Record<string, number>> {
  const byOutcome: Record<string, number> = {};
  for (const result of results) {
    const outcome = result.status === 'refused' ? result.code : result.status;
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  }
  return byOutcome;
}
