/**
 * Topic scopes: the patterns of a JWT's `topics` claim, e.g. `bars:AAPL:*`, `quotes:*`, `*`.
 * `*` stands for any run of characters (separators included), everything else matches
 * itself, case included: `bars:*` is every bars topic, `bars:*:1D` every daily one.
 */
export type TopicScope = (key: string) => boolean;

/** Longest pattern and most patterns a scope may hold: the claim comes from outside. */
export const MAX_SCOPE_PATTERN_LENGTH = 128;
export const MAX_SCOPE_PATTERNS = 256;

/** Any topic (no `topics` claim: the token is not restricted). */
export const ANY_TOPIC: TopicScope = () => true;

/**
 * The scope of a `topics` claim, or undefined when the claim is not an array of at most
 * MAX_SCOPE_PATTERNS non-empty strings of at most MAX_SCOPE_PATTERN_LENGTH characters.
 */
export function topicScope(claim: unknown): TopicScope | undefined {
  if (!Array.isArray(claim) || claim.length > MAX_SCOPE_PATTERNS) return undefined;
  const patterns: string[] = [];
  for (const pattern of claim) {
    if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_SCOPE_PATTERN_LENGTH) return undefined;
    patterns.push(pattern);
  }
  return (key) => patterns.some((pattern) => matchesPattern(key, pattern));
}

/**
 * Wildcard match in O(key x pattern) steps at worst: on a mismatch, retry from just after
 * the last `*` with it taking one more character (no regex, so no pattern can backtrack
 * exponentially: the claim is outside input).
 */
export function matchesPattern(key: string, pattern: string): boolean {
  let k = 0;
  let p = 0;
  let star = -1;
  let starKey = 0;
  while (k < key.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === key[k]) {
      k++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      starKey = k;
    } else if (star >= 0) {
      p = star + 1;
      k = ++starKey;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
