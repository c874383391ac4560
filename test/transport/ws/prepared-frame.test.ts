import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { corkSocket, prepareTextFrame, uncorkSocket, writePreparedFrame } from '../../../src/transport/ws/prepared-frame.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => {
    for (const client of server.clients) client.terminate();
    server.close(() => resolve());
  })));
});

/** A real server socket and the real client at the other end, recording text messages. */
async function connectedPair(): Promise<{ server: WebSocket; received: string[]; next: (count: number) => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  servers.push(wss);
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  const waiters: (() => void)[] = [];
  client.on('message', (data, isBinary) => {
    received.push(isBinary ? 'binary!' : String(data));
    waiters.splice(0).forEach((wake) => wake());
  });
  const server = await serverSide;
  const next = async (count: number): Promise<void> => {
    while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { server, received, next };
}

describe('prepared frames', () => {
  it('frames short, medium and long texts that a real client decodes as text', async () => {
    const { server, received, next } = await connectedPair();
    const texts = ['{"a":1}', 'é'.repeat(200), 'x'.repeat(70_000)];
    for (const text of texts) writePreparedFrame(server, prepareTextFrame(text));
    await next(3);
    expect(received).toEqual(texts);
  });

  it('sends several corked frames in order once uncorked', async () => {
    const { server, received, next } = await connectedPair();
    corkSocket(server);
    writePreparedFrame(server, prepareTextFrame('one'));
    server.send('two');
    writePreparedFrame(server, prepareTextFrame('three'));
    uncorkSocket(server);
    await next(3);
    expect(received).toEqual(['one', 'two', 'three']);
  });

  it('falls back to a normal send when ws has frames queued ahead', () => {
    const sent: string[] = [];
    const busy = { _sender: { _state: 1, sendFrame: () => sent.push('raw bytes') }, send: (text: string) => sent.push(text) };
    writePreparedFrame(busy as unknown as WebSocket, prepareTextFrame('queued'));
    expect(sent).toEqual(['queued']);
  });
});
