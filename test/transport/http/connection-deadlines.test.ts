import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeCompleted } from '../../../src/transport/http/connection-deadlines.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** The server side of a real loopback TCP connection. */
async function acceptedSocket(): Promise<Socket> {
  const accepted = new Promise<Socket>((resolve) => {
    const server = createServer(resolve);
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
      client.on('error', () => undefined);
      server.once('close', () => client.destroy());
    });
  });
  return accepted;
}

const timerSlot = (socket: Socket): unknown => {
  const slot = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'timeout');
  return slot === undefined ? 'no slot' : (socket as unknown as Record<symbol, unknown>)[slot];
};

describe('upgradeCompleted', () => {
  it('lets go of the idle timer a cleared socket timeout leaves behind', async () => {
    const socket = await acceptedSocket();
    socket.setTimeout(1_000);
    socket.setTimeout(0); // what ws does when it takes the socket over
    expect(timerSlot(socket)).not.toBeNull(); // Node keeps the cleared Timeout object
    upgradeCompleted(socket);
    expect(timerSlot(socket)).toBeNull();
    // The socket still takes a new timeout afterwards.
    const timedOut = new Promise((resolve) => socket.once('timeout', resolve));
    socket.setTimeout(20);
    await timedOut;
    socket.destroy();
  });

  it('leaves a running timer alone', async () => {
    const socket = await acceptedSocket();
    socket.setTimeout(30);
    upgradeCompleted(socket);
    expect(timerSlot(socket)).not.toBeNull();
    await new Promise((resolve) => socket.once('timeout', resolve));
    socket.destroy();
  });
});
