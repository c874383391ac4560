import { authSchema, type AuthConfig } from './schema/auth.js';
import { broadcasterSchema, type BroadcasterConfig } from './schema/broadcaster.js';
import { clusterSchema, type ClusterConfig } from './schema/cluster.js';
import { fanoutSchema, type FanoutConfig } from './schema/fanout.js';
import { heartbeatSchema, type HeartbeatConfig } from './schema/heartbeat.js';
import { historySchema, type HistoryConfig } from './schema/history.js';
import { httpSchema, type HttpConfig } from './schema/http.js';
import { limitsSchema, type LimitsConfig } from './schema/limits.js';
import { logSchema, type LogConfig } from './schema/log.js';
import { proxySchema, type ProxyConfig } from './schema/proxy.js';
import { shutdownSchema, type ShutdownConfig } from './schema/shutdown.js';
import { storeSchema, type StoreConfig } from './schema/store.js';
import { transportSchema, type TransportConfig } from './schema/transport.js';
import { ingestSchema, type IngestConfig } from './schema/ingest.js';

export { CLUSTER_ROLES, type ClusterRole } from './schema/cluster.js';
export { LOG_LEVELS, type LogLevel } from './schema/log.js';
export { TRANSPORT_ENGINES, type TransportEngine } from './schema/transport.js';

/**
 * The convict schema: the listening address, then one group a file of schema/ (its settings,
 * their env variables, defaults, docs and formats, and its typed part of Config). The order of
 * the groups is the order convict reports them in.
 */
export const configSchema = {
  port: {
    doc: 'TCP port for HTTP and WebSocket (0 picks a free port).',
    format: 'port',
    default: 8000,
    env: 'PORT',
  },
  host: {
    doc: 'Interface to listen on.',
    format: String,
    default: '0.0.0.0',
    env: 'HOST',
  },
  broadcaster: broadcasterSchema,
  history: historySchema,
  http: httpSchema,
  proxy: proxySchema,
  log: logSchema,
  shutdown: shutdownSchema,
  limits: limitsSchema,
  heartbeat: heartbeatSchema,
  auth: authSchema,
  cluster: clusterSchema,
  transport: transportSchema,
  fanout: fanoutSchema,
  store: storeSchema,
  ingest: ingestSchema,
};

/** The one typed configuration the composition root consumes. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly broadcaster: BroadcasterConfig;
  readonly history: HistoryConfig;
  readonly http: HttpConfig;
  /** The edge: trusted proxies, the PROXY protocol, the handshake queue. */
  readonly proxy: ProxyConfig;
  readonly log: LogConfig;
  readonly shutdown: ShutdownConfig;
  readonly limits: LimitsConfig;
  readonly heartbeat: HeartbeatConfig;
  readonly auth: AuthConfig;
  readonly cluster: ClusterConfig;
  readonly transport: TransportConfig;
  readonly fanout: FanoutConfig;
  readonly store: StoreConfig;
  readonly ingest: IngestConfig;
}
