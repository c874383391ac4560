import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import type { SchedulerLike } from 'rxjs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Readiness } from '../streams/bar-source.js';
import type { Catalog } from '../streams/catalog.js';
import type { AccessPolicy } from '../transport/auth/access-check.js';
import { requireAccess } from '../transport/http/access-middleware.js';
import { httpStatusOf } from '../domain/errors.js';
import { ClientAddresses, TrustedProxies } from '../transport/http/client-address.js';
import { deadlineServerOptions, guardConnections, type ConnectionDeadlines, type ConnectionGuard } from '../transport/http/connection-deadlines.js';
import { HistoryBars } from '../transport/http/history-bars.js';
import { historyRateLimit, type HistoryRateLimit } from '../transport/http/history-rate-limit.js';
import { HISTORY_PATH, historyRoutes } from '../transport/http/history-routes.js';
import { createHttpApp } from '../transport/http/http-app.js';
import { metricsRoutes } from '../transport/http/metrics-routes.js';
import { pageRoutes } from '../transport/http/page-routes.js';
import { UDF_PATH, udfRoutes } from '../transport/http/udf-routes.js';
import type { AppEvents } from './app-events.js';
import type { AppStatus } from './app-status.js';
import type { TradeIngestWiring } from './trades.js';

export interface HttpParts {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly catalog: Catalog;
  readonly events: AppEvents;
  readonly access: AccessPolicy;
  readonly status: AppStatus;
  readonly ready: () => Readiness;
  /** Trade-built bars: their history, and `POST /api/v1/trades`. */
  readonly trades?: TradeIngestWiring | undefined;
}

export interface AppHttpServer {
  readonly server: Server;
  /** The history routes' limiter: its store's timer is released on stop. */
  readonly rateLimit: HistoryRateLimit;
  /** Who each connection's client is (TRUSTED_PROXIES): one resolver for HTTP, the ws upgrade and the uWS door. */
  readonly clientAddresses: ClientAddresses;
  /** The connections held before the HTTP server has them (the handshake queue, PROXY headers): closed on stop. */
  readonly guard: ConnectionGuard;
}

/**
 * The HTTP server and its routes (metrics, history and UDF behind the rate limit and access
 * control, the page), with the connection deadlines and socket caps of `http` and `limits`.
 */
export function createHttpServer(config: Config, { scheduler, logger, catalog, events, access, status, ready, trades }: HttpParts): AppHttpServer {
  const protect = requireAccess(access);
  const mockHistory = new HistoryBars({ seed: config.broadcaster.seed, cacheBars: config.history.cacheBars });
  const historySource = {
    catalog,
    seed: config.broadcaster.seed,
    maxBars: config.history.maxBars,
    maxCost: config.history.maxCost,
    listedAt: Date.parse(config.history.listingDate),
    bars: trades ? trades.history(mockHistory) : mockHistory,
    now: () => scheduler.now(),
  };
  const clientAddresses = new ClientAddresses(new TrustedProxies(config.proxy.trustedProxies));
  const rateLimit = historyRateLimit({ limit: config.history.rateLimit, windowMs: config.history.rateWindowMs, clientAddress: (request) => clientAddresses.ofRequest(request) });
  const deadlines: ConnectionDeadlines = {
    ...config.http,
    maxSockets: config.limits.maxConnections + config.limits.maxHttpConnections,
    maxHandshakesPerIp: config.limits.maxHandshakesPerIp,
    handshakeQueuePerIp: config.proxy.handshakeQueuePerIp,
    handshakeQueueTimeoutMs: config.proxy.handshakeQueueTimeoutMs,
  };
  const server: Server = createServer(
    deadlineServerOptions(deadlines),
    createHttpApp({
      ready,
      logger,
      ...(config.transport.engine === 'uws' ? { webSocketPort: () => status.wsAddress?.port } : {}),
      // Rate limit, then access control: separate middlewares over the same paths.
      routers: [
        metricsRoutes({ snapshot: () => events.metrics.snapshot(), prometheus: events.prometheus, ...(config.auth.metricsPublic ? {} : { access: protect }) }),
        rateLimit.router,
        Router().use([HISTORY_PATH, UDF_PATH], protect),
        historyRoutes(historySource),
        udfRoutes(historySource),
        ...(trades?.router ? [trades.router(access)] : []),
        pageRoutes({ ports: () => (status.wsAddress ? { http: (server.address() as AddressInfo).port, webSocket: status.wsAddress.port } : undefined) }),
      ],
    }),
  );
  const guard = guardConnections(server, deadlines, {
    addresses: clientAddresses,
    proxyProtocol: config.proxy.protocol,
    refused: (address, reason) => {
      events.bus.emit({ type: 'connection_refused', status: httpStatusOf('TOO_MANY_HANDSHAKES'), address });
      logger.debug({ address, reason }, 'connection refused by the handshake queue');
    },
  });
  return { server, rateLimit, clientAddresses, guard };
}

/** Listens on `port` (0 picks a free one) and resolves with the bound address. */
export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** Stops accepting connections; resolves once every connection has gone. */
export function stopListening(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** Closes the server and every connection: those HTTP knows, and those the guard holds before HTTP has them. */
export function closeServer({ server, guard }: AppHttpServer): Promise<void> {
  if (!server.listening) return Promise.resolve();
  const closed = stopListening(server);
  server.closeAllConnections();
  guard.close();
  return closed;
}
