import { parseResolution } from '../domain/resolution.js';
import { BARS_KIND, topicKey } from '../domain/topic.js';

export const QUOTES_KIND = 'quotes';

/**
 * A symbol as the server normalises it (UDF's spellings: `aapl`, `BARCAST:AAPL` -> `AAPL`), so
 * the client's topic keys match the ones updates arrive on.
 */
export function normaliseSymbol(symbol: string): string {
  return symbol.slice(symbol.lastIndexOf(':') + 1).trim().toUpperCase();
}

/** `bars:AAPL:1D` for (`aapl`, `D`); an unknown resolution stays as spelled (the server refuses it). */
export function barsKey(symbol: string, resolution: string): string {
  return topicKey(BARS_KIND, normaliseSymbol(symbol), parseResolution(resolution) ?? resolution);
}

export function quotesKey(symbol: string): string {
  return topicKey(QUOTES_KIND, normaliseSymbol(symbol));
}
