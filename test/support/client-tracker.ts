import WebSocket from 'ws';
import { connect, type BarcastClient, type ConnectOptions } from '../../src/client/connect.js';

/**
 * Typed clients on `ws` with quick reconnects, tracked so afterEach can close every one.
 * Pair with `appTracker`: close the clients first, then stop the apps.
 */
export function clientTracker(): { connect: (url: string, options?: ConnectOptions) => BarcastClient; closeAll: () => void } {
  const open: BarcastClient[] = [];
  return {
    connect(url, options = {}) {
      const client = connect(url, { WebSocketCtor: WebSocket, backoff: { baseMs: 20, maxMs: 200 }, ...options });
      open.push(client);
      return client;
    },
    closeAll() {
      for (const client of open.splice(0)) client.close();
    },
  };
}
