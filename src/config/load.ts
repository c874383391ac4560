import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import convict from 'convict';
import { readTokenFile } from './auth-tokens.js';
import { loadJwtKeys } from './jwt-keys.js';
import { configSchema, type Config } from './schema.js';

/** config/ at the package root; the same relative path from src/config and dist/config. */
const CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly configDir?: string;
  /** Values applied last, over files and environment (tests use this). */
  readonly overrides?: Record<string, unknown>;
}

/**
 * Schema defaults, then config/default.json, then config/<NODE_ENV>.json, then environment
 * variables (convict re-applies them over loaded files), then `overrides`. Strict: unknown
 * keys and invalid values throw a ConfigError naming the variable and what it accepts.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? CONFIG_DIR;
  const config = convict(configSchema, { env });
  const files = ['default.json', env['NODE_ENV'] ? `${env['NODE_ENV']}.json` : undefined]
    .filter((name): name is string => name !== undefined)
    .map((name) => `${configDir}/${name}`)
    .filter((file) => existsSync(file));
  try {
    if (files.length > 0) config.loadFile(files);
    if (options.overrides) config.load(options.overrides);
    config.validate({ allowed: 'strict' });
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${describeConfigError(error)}`);
  }
  const loaded = config.getProperties() as Config;
  const conflict = conflictingSettings(loaded);
  if (conflict) throw new ConfigError(`Invalid configuration: ${conflict}`);
  return withCheckedJwtKeys(withPublishTokenFile(withTokenFile(loaded)));
}

/** A JWT key file that cannot be used stops start-up (and a reload) here, with the setting named. */
function withCheckedJwtKeys(config: Config): Config {
  try {
    loadJwtKeys(config.auth);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${error instanceof Error ? error.message : String(error)}`);
  }
  return config;
}

/** Settings that are each in range but contradict one another. */
function conflictingSettings(config: Config): string | undefined {
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    return `HTTP_HEADERS_TIMEOUT_MS (${config.http.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.http.requestTimeoutMs}): headers are part of the request`;
  }
  if (config.limits.bufferSoftBytes > config.limits.bufferHardBytes) {
    return `WS_BUFFER_SOFT_BYTES (${config.limits.bufferSoftBytes}) must not exceed WS_BUFFER_HARD_BYTES (${config.limits.bufferHardBytes})`;
  }
  if (config.transport.engine === 'uws' && config.transport.uwsPort !== 0 && config.transport.uwsPort === config.port) {
    return `UWS_PORT (${config.transport.uwsPort}) must differ from PORT: with WS_ENGINE=uws the WebSocket has a port of its own (0 picks a free one)`;
  }
  if (config.ingest.symbols.length > 0 && config.cluster.role !== 'standalone' && config.store.databaseUrl === '') {
    return (
      `INGEST_SYMBOLS with BARCAST_ROLE=${config.cluster.role} needs DATABASE_URL (PostgreSQL): every gateway and generator must share the trade store, ` +
      'and SQLite (DATA_DIR) is one process\'s file'
    );
  }
  if (config.transport.engine === 'uws' && config.fanout.perMessageDeflate) {
    return 'FANOUT_PERMESSAGE_DEFLATE is not available with WS_ENGINE=uws: the uWebSockets.js binaries barcast uses have no compression';
  }
  return undefined;
}

/** Adds the tokens of auth.tokenFile (if set) to auth.tokens. */
function withTokenFile(config: Config): Config {
  if (!config.auth.tokenFile) return config;
  try {
    const tokens = [...config.auth.tokens, ...readTokenFile(config.auth.tokenFile)];
    return { ...config, auth: { ...config.auth, tokens } };
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Adds the tokens of ingest.publishTokensFile (if set) to ingest.publishTokens. */
function withPublishTokenFile(config: Config): Config {
  if (!config.ingest.publishTokensFile) return config;
  try {
    const publishTokens = [...config.ingest.publishTokens, ...readTokenFile(config.ingest.publishTokensFile, 'PUBLISH_TOKENS_FILE (ingest.publishTokensFile)')];
    return { ...config, ingest: { ...config.ingest, publishTokens } };
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Convict names the key path; add the environment variable, which is what operators set. */
function describeConfigError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .map((line) => {
      const path = /^([\w.]+):/.exec(line)?.[1];
      const variable = path ? envVariableOf(path) : undefined;
      return variable ? `${variable} (${line})` : line;
    })
    .join('; ');
}

function envVariableOf(path: string): string | undefined {
  let node: unknown = configSchema;
  for (const part of path.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  const env = typeof node === 'object' && node !== null ? (node as { env?: unknown }).env : undefined;
  return typeof env === 'string' ? env : undefined;
}
