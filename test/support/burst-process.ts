import WebSocket from 'ws';

/**
 * Child entry (run by burst.ts): opens `count` WebSockets to `url` at once, as a crowd behind
 * one address does after a restart, and prints one JSON line: how many ended in each outcome
 * ("open", "status 503", "error ECONNRESET", ...). In a process of its own, so the server's
 * event loop sees the crowd as it would from the network, not interleaved with the clients.
 */
const [url = '', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
const outcomes: Record<string, number> = {};
const sockets: WebSocket[] = [];
const count1 = (outcome: string): void => {
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
};

await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise<void>((resolve) => {
        const socket = new WebSocket(url, { perMessageDeflate: false });
        sockets.push(socket);
        socket.once('open', () => resolve(count1('open')));
        socket.once('unexpected-response', (_request, response) => {
          const retryAfter = response.headers['retry-after'];
          resolve(count1(`status ${response.statusCode ?? 0}${retryAfter === undefined ? '' : ` retry-after ${retryAfter}`}`));
          socket.terminate();
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(count1(`error ${error.code ?? error.message}`)));
      }),
  ),
);
process.stdout.write(`${JSON.stringify(outcomes)}\n`, () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
