import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** The keys JWTs are verified with; either may be absent, and with neither, JWTs are off. */
export interface JwtKeys {
  /** AUTH_JWT_SECRET, for HS256/HS384/HS512. */
  readonly secret?: Uint8Array;
  /** AUTH_JWT_KEY_FILE: one public key (PEM), or a JWKS whose key a token picks by `kid`/`alg`. */
  readonly publicKey?: KeyObject | JWTVerifyGetKey;
}

export interface JwtKeySettings {
  readonly jwtSecret: string;
  readonly jwtKeyFile: string;
}

/**
 * Reads the JWT keys of the auth settings. A key file that cannot be read or parsed is an
 * error (naming the setting, never the content), not a silent "JWTs off". A private key is
 * refused: the server only verifies, and a private key on it would be one more secret to leak.
 */
export function loadJwtKeys(settings: JwtKeySettings): JwtKeys {
  const secret = settings.jwtSecret ? new TextEncoder().encode(settings.jwtSecret) : undefined;
  if (!settings.jwtKeyFile) return secret ? { secret } : {};
  let text: string;
  try {
    text = readFileSync(settings.jwtKeyFile, 'utf8');
  } catch (error) {
    throw new Error(`AUTH_JWT_KEY_FILE (auth.jwtKeyFile) cannot be read: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const publicKey = text.trimStart().startsWith('{') ? jwksOf(text) : pemKeyOf(text);
  return secret ? { secret, publicKey } : { publicKey };
}

function pemKeyOf(text: string): KeyObject {
  if (/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    throw new Error('AUTH_JWT_KEY_FILE (auth.jwtKeyFile) holds a private key: give the server the public key only');
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw new Error('AUTH_JWT_KEY_FILE (auth.jwtKeyFile) is neither a PEM public key nor a JWKS (JSON)');
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss' && key.asymmetricKeyType !== 'ec') {
    throw new Error(`AUTH_JWT_KEY_FILE (auth.jwtKeyFile) holds a ${key.asymmetricKeyType ?? 'unknown'} key; RSA or EC (ECDSA) expected`);
  }
  return key;
}

function jwksOf(text: string): JWTVerifyGetKey {
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new Error('AUTH_JWT_KEY_FILE (auth.jwtKeyFile) is not valid JSON (a JWKS was expected)');
  }
  const keys = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('AUTH_JWT_KEY_FILE (auth.jwtKeyFile) is a JWKS with no keys');
  if (keys.some((key) => typeof key === 'object' && key !== null && 'd' in key)) {
    throw new Error('AUTH_JWT_KEY_FILE (auth.jwtKeyFile) holds a private JWK: give the server the public keys only');
  }
  try {
    return createLocalJWKSet(jwks as JSONWebKeySet);
  } catch {
    throw new Error('AUTH_JWT_KEY_FILE (auth.jwtKeyFile) is not a valid JWKS');
  }
}
