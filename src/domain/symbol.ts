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
