import type { AddressInfo } from 'node:net';
import type { Observable, ReplaySubject, SchedulerLike } from 'rxjs';
import type { Config } from '../config/schema.js';
import { engineRole } from '../engines/configured-engine.js';
import type { Logger } from '../logger.js';
import type { BarEngine } from '../streams/bar-source.js';
import type { BroadcastEvent } from '../streams/events.js';
import type { Hub } from '../streams/hub.js';
import type { MetricsSnapshot } from '../streams/metrics.js';
import type { ReloadableAccessPolicy } from '../transport/auth/access-policy.js';
import type { WebSocketEngine } from '../transport/ws/gateway.js';
import { tokenAuthority } from './access.js';
import type { AppEvents } from './app-events.js';
import type { AppStatus } from './app-status.js';
import { closeServer, listen, stopListening, type AppHttpServer } from './http-server.js';
import type { TradeIngestWiring } from './trades.js';

export interface App {
  /** Listens on config host/port; resolves with the bound HTTP address (port 0 picks one). */
  start(): Promise<AddressInfo>;
  /**
   * Where WebSocket clients connect, once started: the HTTP address with the ws engine, uWS's
   * own port with `transport.engine: uws`. Undefined before start, and on a node that serves
   * no clients (a cluster generator).
   */
  wsAddress(): AddressInfo | undefined;
  /** Completes every topic, closes clients with 1001, closes the server. Safe to call twice. */
  stop(): Promise<void>;
  readonly hub: Hub;
  metrics(): MetricsSnapshot;
  /**
   * Applies what can change without dropping anyone (SIGHUP): the log level, the tokens
   * (AUTH_TOKENS, AUTH_TOKEN_FILE) and JWT keys. Connections whose static token is gone are
   * closed with 4003. Other settings need a restart.
   */
  reload(next: Config): ReloadSummary;
  /** Every event as it happens (tests and embedders observe the service through it). */
  readonly events$: Observable<BroadcastEvent>;
}

export interface ReloadSummary {
  readonly logLevel: string;
  readonly staticTokens: number;
  /** Connections closed with 4003 because their token was removed. */
  readonly revoked: number;
}

/** What the lifecycle starts, stops and reloads: everything the composition root built. */
export interface AppParts {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly status: AppStatus;
  readonly events: AppEvents;
  readonly engine: BarEngine;
  readonly shutdown$: ReplaySubject<void>;
  readonly hub: Hub;
  readonly access: ReloadableAccessPolicy;
  readonly http: AppHttpServer;
  readonly websocket: WebSocketEngine | undefined;
  /** Trade-built bars (INGEST_SYMBOLS), if any: its store opens and its bars recover before the server listens. */
  readonly trades?: TradeIngestWiring | undefined;
}

/**
 * The app's life: `start` listens on HTTP, then the WebSocket engine, then starts the engine;
 * `stop` fires shutdown (every topic completes), closes the sockets with 1001, stops the
 * engine, closes the server, completes the event bus; `reload` swaps log level and tokens.
 */
export function createLifecycle(config: Config, parts: AppParts): App {
  const { scheduler, logger, status, events, engine, shutdown$, hub, access, http, websocket, trades } = parts;
  const { bus, metrics } = events;
  const gateway = websocket?.gateway;
  let stopping: Promise<void> | undefined;

  return {
    hub,
    metrics: () => metrics.snapshot(),
    events$: bus.events$,
    wsAddress: () => status.wsAddress,

    reload(next) {
      logger.level = next.log.level;
      access.replace(tokenAuthority(next, () => scheduler.now()));
      const revoked = gateway?.revokeInvalidCredentials() ?? 0;
      const summary = { logLevel: next.log.level, staticTokens: new Set(next.auth.tokens).size, revoked };
      logger.info(summary, 'configuration reloaded');
      return summary;
    },

    async start() {
      if (status.phase !== 'created') throw new Error(`cannot start an app that is ${status.phase}`);
      status.phase = 'starting';
      // A failed start releases the trade store again, as it does the ports.
      await trades?.start().catch(async (error: unknown) => {
        await trades.close();
        status.phase = 'created';
        throw error;
      });
      const address = await listen(http.server, config.port, config.host).catch(async (error: unknown) => {
        await trades?.close();
        status.phase = 'created';
        throw error;
      });
      try {
        status.wsAddress = await websocket?.listen(config.host);
      } catch (error) {
        // The HTTP port is released again, so a failed start leaves nothing listening.
        await closeServer(http);
        await trades?.close();
        status.phase = 'stopped';
        throw error;
      }
      status.phase = 'running';
      const { broadcaster } = config;
      if (broadcaster.enabled) engine.start(hub);
      if (broadcaster.enabled) bus.emit({ type: 'broadcaster_started' });
      const { wsAddress } = status;
      logger.info(
        { address: address.address, port: address.port, ...(wsAddress && wsAddress.port !== address.port ? { wsPort: wsAddress.port } : {}), broadcaster, role: engineRole(config) },
        'barcast listening',
      );
      return address;
    },

    stop() {
      stopping ??= (async () => {
        status.phase = 'stopping';
        shutdown$.next();
        shutdown$.complete();
        // Not listening any more, first: the clients the shutdown drops come straight back, and
        // each would cost a handshake (and a refusal) while the server is busy closing the rest.
        const closed = stopListening(http.server);
        // Trades waiting for their commit are answered before their publishers' sockets close.
        await trades?.drain(config.shutdown.timeoutMs);
        await websocket?.close(config.shutdown.timeoutMs);
        await engine.stop();
        await trades?.close();
        http.server.closeAllConnections();
        http.guard.close();
        await closed;
        http.rateLimit.close();
        events.close();
        status.phase = 'stopped';
        logger.info('barcast stopped');
      })();
      return stopping;
    },
  };
}
