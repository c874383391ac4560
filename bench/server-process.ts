import { performance } from 'node:perf_hooks';
import type { ServerReply, ServerRequest } from './ipc.js';
import { serveRequests } from './ipc.js';
import type { BenchServer, StartServer } from './servers/bench-server.js';
import { startBarcastServer } from './servers/barcast-server.js';
import { startRawServer } from './servers/raw-server.js';
import { startSocketIoServer } from './servers/socketio-server.js';

/** Child entry: runs one server under test and reports its own CPU, memory and handles. */
const starters: Record<string, StartServer> = {
  raw: startRawServer,
  socketio: startSocketIoServer,
  barcast: startBarcastServer,
};

let server: BenchServer | undefined;

serveRequests<ServerRequest, ServerReply>(async (request) => {
  switch (request.type) {
    case 'start': {
      const start = starters[request.server];
      if (!start) throw new Error(`unknown server ${request.server}`);
      server = await start(request);
      return { type: 'start', port: server.port };
    }
    case 'stats': {
      if (request.gc) collectGarbage();
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      const loop = performance.eventLoopUtilization();
      const resources: Record<string, number> = {};
      for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
      return {
        type: 'stats',
        cpuUs: cpu.user + cpu.system,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        loopActiveMs: loop.active,
        loopIdleMs: loop.idle,
        resources,
        activeTopics: server?.activeTopics?.(),
      };
    }
    case 'stop':
      await server?.stop();
      return { type: 'stop' };
  }
});

/** Full GCs until the heap stops shrinking, so before/after readings compare live data only. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the server process needs --expose-gc');
  for (let round = 0; round < 3; round += 1) gc();
}
