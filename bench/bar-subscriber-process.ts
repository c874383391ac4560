import WebSocket from 'ws';
import { serveRequests } from './ipc.js';
import { monotonicMs, type ReceivedUpdates, type SubscriberReply, type SubscriberRequest, type SubscriberStart } from './trades-e2e-ipc.js';

/**
 * T3's subscribers (child process): `clients` WebSockets on one bars topic, each keeping
 * every update's bar time, volume and arrival time (monotonic), from subscription to `finish`.
 */
let sockets: WebSocket[] = [];
let received: ReceivedUpdates[] = [];
let recording = true;

async function start({ url, clients, symbol, resolution }: SubscriberStart): Promise<void> {
  received = Array.from({ length: clients }, () => ({ barTime: [], volume: [], receivedAt: [] }));
  sockets = await Promise.all(
    received.map(async (updates) => {
      const socket = new WebSocket(url);
      socket.on('message', (data) => {
        const at = monotonicMs();
        if (!recording) return;
        const message = JSON.parse(String(data)) as { type: string; payload?: { time: number; volume: number } };
        if (message.type !== 'bars.update' || !message.payload) return;
        updates.barTime.push(message.payload.time);
        updates.volume.push(message.payload.volume);
        updates.receivedAt.push(at);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ type: 'bars.subscribe', payload: { symbol, params: { resolution } } }));
      return socket;
    }),
  );
}

serveRequests<SubscriberRequest, SubscriberReply>(async (request) => {
  switch (request.type) {
    case 'start':
      await start(request);
      return { type: 'start' };
    case 'finish':
      // Updates of the last batches arrive within milliseconds of their answers.
      await new Promise((resolve) => setTimeout(resolve, 200));
      recording = false;
      return { type: 'finish', clients: received };
    case 'stop':
      for (const socket of sockets) socket.terminate();
      return { type: 'stop' };
  }
});
