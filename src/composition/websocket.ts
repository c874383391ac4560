import type { Server } from 'node:http';
import type { SchedulerLike } from 'rxjs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { BarEngine } from '../streams/bar-source.js';
import type { EmitEvent } from '../streams/events.js';
import type { Hub } from '../streams/hub.js';
import type { AccessPolicy } from '../transport/auth/access-check.js';
import type { ClientAddresses } from '../transport/http/client-address.js';
import { Gateway, type WebSocketEngine } from '../transport/ws/gateway.js';
import { UwsEngine } from '../transport/ws/uws-engine.js';
import { rejectUpgrade, WsEngine } from '../transport/ws/ws-engine.js';
import type { TradeIngest } from '../transport/ws/trades-publish.js';

export interface WebSocketParts {
  readonly hub: Hub;
  readonly emit: EmitEvent;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  readonly access: AccessPolicy;
  /** The HTTP server's resolver of client addresses (TRUSTED_PROXIES), so every door names the same client. */
  readonly addresses: ClientAddresses;
  /** Where `trades.publish` goes (INGEST_SYMBOLS set). */
  readonly ingest?: TradeIngest | undefined;
}

/**
 * The gateway behind the WebSocket engine of `transport.engine`, or none where the engine
 * serves no clients (a generator). Where no WebSocket is served on the HTTP port (a generator,
 * or the uWS engine on its own port), upgrades there get a 404, not a hang.
 */
export function createWebSocket(config: Config, server: Server, engine: BarEngine, parts: WebSocketParts): WebSocketEngine | undefined {
  const websocket = engine.servesClients ? webSocketEngine(config, server, gateway(config, parts), parts.addresses) : undefined;
  if (!(websocket instanceof WsEngine)) server.on('upgrade', (_request, socket) => rejectUpgrade(socket, 404, 'Not Found'));
  return websocket;
}

function gateway(config: Config, { hub, emit, logger, scheduler, access, ingest }: WebSocketParts): Gateway {
  return new Gateway({
    hub,
    emit,
    logger,
    now: () => scheduler.now(),
    staleAfterMs: config.fanout.staleAfterIntervals * config.broadcaster.interval * 1000,
    scheduler,
    access,
    expiry: { warningMs: config.auth.expiryWarningSeconds * 1000, skewMs: config.auth.jwtClockSkewSeconds * 1000 },
    limits: config.limits,
    heartbeat: config.heartbeat,
    ...(ingest ? { ingest } : {}),
  });
}

/** The WebSocket engine of `transport.engine`, in front of the gateway (docs/architecture.md). */
function webSocketEngine(config: Config, server: Server, gateway: Gateway, addresses: ClientAddresses): WebSocketEngine {
  const { maxPayloadBytes } = config.limits;
  if (config.transport.engine === 'uws') {
    const { uwsPort: port } = config.transport;
    return new UwsEngine(gateway, { port, maxPayloadBytes, upgradeTimeoutMs: config.http.upgradeTimeoutMs, trusted: addresses.trusted, proxyProtocol: config.proxy.protocol });
  }
  return new WsEngine(gateway, { server, maxPayloadBytes, addresses, perMessageDeflate: config.fanout.perMessageDeflate });
}
