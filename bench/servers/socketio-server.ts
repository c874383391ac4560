import { createServer } from 'node:http';
import { Server } from 'socket.io';
import type { Bar } from '../../src/domain/bar.js';
import { parseResolution } from '../../src/domain/resolution.js';
import { barsTopicKey } from '../../src/domain/topic.js';
import { listenOnLoopback, nextBar, type StartServer } from './bench-server.js';

interface Subscription {
  readonly symbol: string;
  readonly resolution: string;
}

/**
 * What a user would pick instead: socket.io with one room per topic, one timer ticking every
 * room at the same instant, `io.to(room).emit` per update (socket.io encodes the packet once
 * per broadcast). WebSocket transport only, no compression, like the others.
 */
export const startSocketIoServer: StartServer = async ({ intervalMs }) => {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  const bars = new Map<string, Bar | undefined>();
  io.on('connection', (socket) => {
    const onTopic = (action: 'subscribe' | 'unsubscribe') => ({ symbol, resolution }: Subscription) => {
      const key = barsTopicKey(symbol, parseResolution(resolution) ?? '1');
      if (action === 'subscribe') {
        void socket.join(key);
        if (!bars.has(key)) bars.set(key, undefined);
      } else {
        void socket.leave(key);
      }
      socket.emit(`bars.${action}.response`, { status: 'ok', topic: key });
    };
    socket.on('subscribe', onTopic('subscribe'));
    socket.on('unsubscribe', onTopic('unsubscribe'));
  });
  const timer = setInterval(() => {
    for (const [key, previous] of bars) {
      if ((io.sockets.adapter.rooms.get(key)?.size ?? 0) === 0) continue;
      const now = Date.now();
      const bar = nextBar(key, previous, now);
      bars.set(key, bar);
      io.to(key).emit('update', { type: 'bars.update', topic: key, ts: now, payload: bar });
    }
  }, intervalMs);
  return {
    port: await listenOnLoopback(http),
    stop: async () => {
      clearInterval(timer);
      io.disconnectSockets(true);
      await io.close();
    },
  };
};
