import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Bar } from '../../src/domain/bar.js';
import { parseResolution } from '../../src/domain/resolution.js';
import { barsTopicKey } from '../../src/domain/topic.js';
import { listenOnLoopback, nextBar, updateFrame, type StartServer } from './bench-server.js';

interface RawTopic {
  readonly sockets: Set<WebSocket>;
  bar: Bar | undefined;
}

/**
 * The physical limit: a minimal ws server. One timer ticks every topic at the same instant;
 * each update is serialized once and the same string is sent to each subscriber, one
 * `send` per update. No RxJS, no protocol validation, no metrics.
 */
export const startRawServer: StartServer = async ({ intervalMs }) => {
  const topics = new Map<string, RawTopic>();
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    const mine = new Set<RawTopic>();
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload: { symbol: string; params: { resolution: string } } };
      const resolution = parseResolution(message.payload.params.resolution) ?? '1';
      const key = barsTopicKey(message.payload.symbol, resolution);
      let topic = topics.get(key);
      if (!topic) {
        topic = { sockets: new Set(), bar: undefined };
        topics.set(key, topic);
      }
      if (message.type === 'bars.subscribe') {
        topic.sockets.add(socket);
        mine.add(topic);
      } else {
        topic.sockets.delete(socket);
        mine.delete(topic);
      }
      socket.send(JSON.stringify({ type: `${message.type}.response`, payload: { status: 'ok', topic: key } }));
    });
    socket.on('close', () => {
      for (const topic of mine) topic.sockets.delete(socket);
    });
  });
  const timer = setInterval(() => {
    for (const [key, topic] of topics) {
      if (topic.sockets.size === 0) continue;
      const now = Date.now();
      topic.bar = nextBar(key, topic.bar, now);
      const frame = updateFrame(key, now, topic.bar);
      for (const socket of topic.sockets) socket.send(frame);
    }
  }, intervalMs);
  return {
    port: await listenOnLoopback(http),
    stop: async () => {
      clearInterval(timer);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
};
