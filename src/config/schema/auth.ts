import convict from 'convict';
import { range } from './formats.js';

convict.addFormat({
  name: 'jwt-secret',
  validate(value: unknown) {
    // HS256 wants a key as long as its hash (32 bytes); a short secret can be brute-forced offline.
    if (typeof value !== 'string' || (value.length > 0 && Buffer.byteLength(value, 'utf8') < 32)) {
      throw new Error('must be empty or at least 32 bytes long');
    }
  },
});

/** Access control: static tokens, JWTs, allowed origins, the metrics routes. */
export const authSchema = {
  tokens: {
    doc: 'Bearer tokens accepted on the WebSocket upgrade, comma-separated. Empty (with no token file): no auth.',
    format: 'string-list',
    default: [] as string[],
    env: 'AUTH_TOKENS',
    sensitive: true,
  },
  tokenFile: {
    doc: 'File with one accepted bearer token per line (blank lines and # comments ignored), added to auth.tokens.',
    format: String,
    default: '',
    env: 'AUTH_TOKEN_FILE',
  },
  allowedOrigins: {
    doc: 'Origins allowed to open a WebSocket or call the history/UDF API from a browser, comma-separated (e.g. https://app.example.com). Empty: any.',
    format: 'string-list',
    default: [] as string[],
    env: 'ALLOWED_ORIGINS',
  },
  jwtSecret: {
    doc: 'Shared secret (at least 32 bytes) that verifies HS256/HS384/HS512 JWTs. Empty: no HMAC JWTs.',
    format: 'jwt-secret',
    default: '',
    env: 'AUTH_JWT_SECRET',
    sensitive: true,
  },
  jwtKeyFile: {
    doc: 'File with the public key (PEM, RSA or EC) or a JWKS (JSON) that verifies RS*/PS*/ES* JWTs. Empty: none.',
    format: String,
    default: '',
    env: 'AUTH_JWT_KEY_FILE',
  },
  jwtAudience: {
    doc: 'When set, a JWT must name this audience in its aud claim.',
    format: String,
    default: '',
    env: 'AUTH_JWT_AUDIENCE',
  },
  jwtIssuer: {
    doc: 'When set, a JWT must name this issuer in its iss claim.',
    format: String,
    default: '',
    env: 'AUTH_JWT_ISSUER',
  },
  jwtClockSkewSeconds: {
    doc: 'Seconds of clock difference tolerated on exp and nbf (0-300; at the upgrade and for the expiry close).',
    format: range('int', 0, 300),
    default: 5,
    env: 'AUTH_JWT_CLOCK_SKEW_SECONDS',
  },
  expiryWarningSeconds: {
    doc: 'Seconds before a JWT expires that its connection is sent auth.expiring (0-3600; at once if it has less left).',
    format: range('int', 0, 3600),
    default: 60,
    env: 'AUTH_EXPIRY_WARNING_SECONDS',
  },
  maxTokenBytes: {
    doc: 'Longest token accepted, in bytes (256-16384, under Node\'s header limit); a longer one is refused with 401 before any parsing.',
    format: range('int', 256, 16_384),
    default: 4096,
    env: 'AUTH_MAX_TOKEN_BYTES',
  },
  metricsPublic: {
    doc: 'Whether /metrics and /api/v1/broadcaster/metrics are open to anyone while access control is on (false: they need a token too).',
    format: Boolean,
    default: false,
    env: 'METRICS_PUBLIC',
  },
};

export interface AuthConfig {
  readonly tokens: readonly string[];
  readonly tokenFile: string;
  readonly allowedOrigins: readonly string[];
  readonly jwtSecret: string;
  readonly jwtKeyFile: string;
  readonly jwtAudience: string;
  readonly jwtIssuer: string;
  readonly jwtClockSkewSeconds: number;
  readonly expiryWarningSeconds: number;
  readonly maxTokenBytes: number;
  readonly metricsPublic: boolean;
}
