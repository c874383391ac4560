import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const SECRET_KEY = new TextEncoder().encode(JWT_SECRET);

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** An HS256 token for JWT_SECRET (or `secret`), expiring in `expiresInS` unless `claims` say otherwise. */
export function hmacToken(claims: JWTPayload = {}, { expiresInS = 60, secret = SECRET_KEY } = {}): Promise<string> {
  return new SignJWT({ exp: nowSeconds() + expiresInS, ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
}

/** A token with `alg: none`: a header and claims, no signature. */
export function unsignedToken(claims: JWTPayload = {}): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ exp: nowSeconds() + 60, ...claims })}.`;
}

export interface SigningKeys {
  /** The public key as PEM (SPKI) and as a JWKS document. */
  readonly pem: string;
  readonly jwks: string;
  sign(claims?: JWTPayload, expiresInS?: number): Promise<string>;
}

export async function signingKeys(alg: 'RS256' | 'ES256'): Promise<SigningKeys> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg, use: 'sig' };
  return {
    pem: await exportSPKI(publicKey),
    jwks: JSON.stringify({ keys: [jwk] }),
    sign: (claims = {}, expiresInS = 60) =>
      new SignJWT({ exp: nowSeconds() + expiresInS, ...claims }).setProtectedHeader({ alg, kid: 'test-key' }).sign(privateKey),
  };
}
