import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadJwtKeys } from '../../src/config/jwt-keys.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barcast-keys-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const env = (variables: Record<string, string>) => ({ env: { NODE_ENV: 'test', ...variables } });

describe('AUTH_JWT_KEY_FILE and AUTH_JWT_SECRET', () => {
  it('loads an RSA or EC public key from PEM and a JWKS from JSON', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(loadJwtKeys({ jwtSecret: '', jwtKeyFile: await file('rsa.pem', rsa) }).publicKey).toBeDefined();
    const jwks = JSON.stringify({ keys: [{ ...ec.export({ format: 'jwk' }), kid: 'k', alg: 'ES256' }] });
    expect(typeof loadJwtKeys({ jwtSecret: '', jwtKeyFile: await file('ec.json', jwks) }).publicKey).toBe('function');
  });

  it('stops start-up naming the setting for a key file that is missing, private, of the wrong type or not a key', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.pem'), /AUTH_JWT_KEY_FILE.*cannot be read/],
      [await file('private.pem', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), /private key/],
      [await file('ed.pem', ed), /ed25519 key; RSA or EC/],
      [await file('junk.pem', 'hello'), /neither a PEM public key nor a JWKS/],
      [await file('empty.json', '{"keys":[]}'), /JWKS with no keys/],
      [await file('private.json', JSON.stringify({ keys: [pair.privateKey.export({ format: 'jwk' })] })), /private JWK/],
    ];
    for (const [path, message] of cases) {
      expect(() => loadConfig(env({ AUTH_JWT_KEY_FILE: path })), path).toThrow(message);
    }
  });

  it('refuses an HMAC secret shorter than 32 bytes without echoing it', () => {
    expect(() => loadConfig(env({ AUTH_JWT_SECRET: 'short-secret' }))).toThrow(/AUTH_JWT_SECRET.*at least 32 bytes/);
    expect(() => loadConfig(env({ AUTH_JWT_SECRET: 'short-secret' }))).not.toThrow(/short-secret/);
  });
});
