/**
 * Ticker symbols: upper-case letters, digits and `. _ -`, starting with a letter or digit,
 * at most 32 characters (`BRK.B`, `BTC-USD`, `ES_F`). Anything else is rejected before it
 * reaches a topic key, so keys never carry control characters, separators or huge strings.
 */
export const MAX_SYMBOL_LENGTH = 32;
/** The rule, as error messages state it (written once). */
export const SYMBOL_RULE = `1-${MAX_SYMBOL_LENGTH} characters of A-Z, 0-9, ".", "_" or "-"`;
const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

export function isValidSymbol(value: string): boolean {
  return SYMBOL_PATTERN.test(value);
}

/** The exchange every barcast symbol is listed on, as UDF's `EXCHANGE:TICKER` names spell it. */
export const SYMBOL_EXCHANGE = 'BARCAST';

/**
 * A symbol as UDF clients send it, in the one spelling topic keys use: surrounding blanks
 * dropped, an optional `BARCAST:` prefix (any case) dropped, upper-cased, so `aapl`,
 * ` AAPL ` and `barcast:AAPL` are all `AAPL`. Undefined when what is left is not a valid
 * symbol, or the prefix names another exchange (`NASDAQ:AAPL` is not ours to serve).
 */
export function normaliseSymbol(value: string): string | undefined {
  if (value.length > MAX_SYMBOL_LENGTH + SYMBOL_EXCHANGE.length + 3) return undefined;
  const trimmed = value.trim().toUpperCase();
  const colon = trimmed.indexOf(':');
  if (colon !== -1 && trimmed.slice(0, colon) !== SYMBOL_EXCHANGE) return undefined;
  const ticker = colon === -1 ? trimmed : trimmed.slice(colon + 1);
  return isValidSymbol(ticker) ? ticker : undefined;
}
