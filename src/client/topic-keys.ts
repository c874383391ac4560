import { parseResolution } from '../domain/resolution.js';
import { normaliseSymbol } from '../domain/symbol.js';
import { BARS_KIND, topicKey } from '../domain/topic.js';

export const QUOTES_KIND = 'quotes';

/**
 * A symbol as the server normalises it (UDF's spellings: `aapl`, `BARCAST:AAPL` -> `AAPL`), so
 * the client's topic keys match the ones updates arrive on. One the server would refuse
 * stays as spelled, and its refusal names it.
 */
export function symbolOf(spelling: string): string {
  return normaliseSymbol(spelling) ?? spelling;
}

/** `bars:AAPL:1D` for (`aapl`, `D`); an unknown resolution stays as spelled (the server refuses it). */
export function barsKey(symbol: string, resolution: string): string {
  return topicKey(BARS_KIND, symbolOf(symbol), parseResolution(resolution) ?? resolution);
}

export function quotesKey(symbol: string): string {
  return topicKey(QUOTES_KIND, symbolOf(symbol));
}
