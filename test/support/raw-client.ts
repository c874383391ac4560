import { connect, type Socket } from 'node:net';

export interface RawClient {
  readonly socket: Socket;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves, once the connection has closed, with the ms it stayed open. */
  readonly closed: Promise<number>;
}

/** A raw TCP client on 127.0.0.1:`port`, kept in `opened` so the test's afterEach can destroy it. */
export function rawClient(port: number, opened: Socket[]): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const openedAt = Date.now();
    const socket = connect(port, '127.0.0.1');
    opened.push(socket);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((settle) => socket.once('close', () => settle(Date.now() - openedAt)));
    socket.once('connect', () => resolve({ socket, received: () => received, closed }));
    socket.once('error', reject);
  });
}
