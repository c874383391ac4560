import { readFileSync } from 'node:fs';

/**
 * The tokens of an AUTH_TOKEN_FILE: one per line; blank lines and lines starting with `#`
 * are skipped, surrounding whitespace is trimmed. A file that cannot be read is an error,
 * never a silent "no auth".
 */
export function readTokenFile(path: string, setting = 'AUTH_TOKEN_FILE (auth.tokenFile)'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${setting} cannot be read: ${reason}`, { cause: error });
  }
  const tokens = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  // An empty file would silently turn auth off; an operator who names a file wants auth on.
  if (tokens.length === 0) throw new Error(`${setting} holds no token`);
  return tokens;
}
