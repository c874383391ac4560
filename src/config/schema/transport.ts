/** What serves the WebSocket endpoint: ws on the HTTP port, or uWebSockets.js on its own port (docs/operations.md). */
export const TRANSPORT_ENGINES = ['ws', 'uws'] as const;

export type TransportEngine = (typeof TRANSPORT_ENGINES)[number];

/** What serves the WebSocket endpoint, and where. */
export const transportSchema = {
  engine: {
    doc:
      'What serves the WebSocket endpoint: "ws" (ws, on the HTTP port) or "uws" (uWebSockets.js, on its own port ' +
      'transport.uwsPort; needs the optional dependency @trufflesuite/uws-js-unofficial and its native binary).',
    format: TRANSPORT_ENGINES,
    default: 'ws',
    env: 'WS_ENGINE',
  },
  uwsPort: {
    doc: 'With transport.engine "uws": the TCP port of the WebSocket endpoint, on the same host as HTTP (0 picks a free port).',
    format: 'port',
    default: 8001,
    env: 'UWS_PORT',
  },
};

export interface TransportConfig {
  readonly engine: TransportEngine;
  readonly uwsPort: number;
}
