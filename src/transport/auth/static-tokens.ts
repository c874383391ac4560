import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two equal-length digests; timingSafeEqual in production, a counting spy in a test. */
export type DigestEquals = (a: Buffer, b: Buffer) => boolean;

/**
 * The configured bearer tokens (AUTH_TOKENS and AUTH_TOKEN_FILE), held as SHA-256 digests.
 *
 * Constant time: the candidate is hashed to the same length as every configured digest, and
 * each one is compared, with no early exit, so neither the length of a token nor the position
 * of a match shows in the response time. Comparison is exact (case included).
 */
export class StaticTokens {
  private readonly digests: readonly Buffer[];

  constructor(
    tokens: readonly string[],
    private readonly equals: DigestEquals = timingSafeEqual,
  ) {
    this.digests = [...new Set(tokens)].map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  /** The id (hex digest) of the configured token equal to `candidate`, if one is. */
  match(candidate: string): string | undefined {
    const presented = digest(candidate);
    let matched: Buffer | undefined;
    for (const configured of this.digests) {
      if (this.equals(presented, configured)) matched = configured;
    }
    return matched?.toString('hex');
  }

  /** Whether the token with this id is still configured (a reload may have removed it). */
  has(tokenId: string): boolean {
    return this.digests.some((configured) => configured.toString('hex') === tokenId);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
