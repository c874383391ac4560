import { requestError, type RequestError } from './errors.js';
import { isRecord } from './json-record.js';
import { isValidSymbol, MAX_SYMBOL_LENGTH, SYMBOL_RULE } from './symbol.js';
import type { Trade } from './trade.js';

/** Longest trade id accepted: ids are stored and indexed, and come from outside. */
export const MAX_TRADE_ID_LENGTH = 128;

export type ParsedTrade = { readonly ok: true; readonly trade: Trade } | { readonly ok: false; readonly error: RequestError };

/**
 * One trade of a publish, from untrusted JSON, into a `Trade` or the reason it is refused:
 * not an object, a bad symbol, time or id -> INVALID_TRADE (INVALID_SYMBOL for a symbol that
 * is a string of the wrong form); a price that is not a finite number above zero ->
 * INVALID_PRICE; a size that is not a finite number -> INVALID_TRADE, below zero ->
 * NEGATIVE_SIZE (a zero size is a trade that moves the price and not the volume). `time` is
 * epoch milliseconds, a safe integer from 0; an integer `id` is taken as its decimal string,
 * since exchanges number their trades. Other fields are ignored.
 */
export function parseTrade(value: unknown): ParsedTrade {
  if (!isRecord(value)) return refuse('INVALID_TRADE', 'a trade must be a JSON object with symbol, price, size and time');
  const { symbol, price, size, time, id } = value;
  if (typeof symbol !== 'string') return refuse('INVALID_TRADE', 'trade.symbol must be a string, e.g. "AAPL"');
  if (symbol.length > MAX_SYMBOL_LENGTH || !isValidSymbol(symbol)) return refuse('INVALID_SYMBOL', `trade.symbol must be ${SYMBOL_RULE}`);
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) return refuse('INVALID_PRICE', 'trade.price must be a finite number above zero');
  if (typeof size !== 'number' || !Number.isFinite(size)) return refuse('INVALID_TRADE', 'trade.size must be a finite number');
  if (size < 0) return refuse('NEGATIVE_SIZE', 'trade.size must not be negative');
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) return refuse('INVALID_TRADE', 'trade.time must be a whole number of epoch milliseconds');
  const tradeId = idOf(id);
  if (tradeId === null) return refuse('INVALID_TRADE', `trade.id must be a string of 1-${MAX_TRADE_ID_LENGTH} characters or a safe integer`);
  // -0 is stored and compared as 0: one size, one spelling.
  const trade: Trade = { symbol, price, size: size === 0 ? 0 : size, time, ...(tradeId === undefined ? {} : { id: tradeId }) };
  return { ok: true, trade };
}

/** The id as stored; undefined when absent, null when present and unusable. */
function idOf(id: unknown): string | undefined | null {
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'string') return id.length >= 1 && id.length <= MAX_TRADE_ID_LENGTH ? id : null;
  if (typeof id === 'number') return Number.isSafeInteger(id) ? String(id) : null;
  return null;
}

function refuse(code: RequestError['code'], message: string): ParsedTrade {
  return { ok: false, error: requestError(code, message) };
}
