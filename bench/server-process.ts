import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import type { ServerReply, ServerRequest } from './ipc.js';
import { serveRequests } from './ipc.js';
import type { BenchServer, StartServer } from './servers/bench-server.js';

/**
 * Child entry: runs one server under test and reports its own CPU, memory and handles. Each
 * server's module is imported only when asked for, so a process holds only its own server's
 * code (and a raw or uWS process starts in a fraction of barcast's time).
 */
const starters: Record<string, () => Promise<StartServer>> = {
  raw: async () => (await import('./servers/raw-server.js')).startRawServer,
  uws: async () => (await import('./servers/uws-server.js')).startUwsServer,
  socketio: async () => (await import('./servers/socketio-server.js')).startSocketIoServer,
  barcast: async () => (await import('./servers/barcast-server.js')).startBarcastServer,
  'barcast-uws': async () => (await import('./servers/barcast-server.js')).startBarcastUwsServer,
};

let server: BenchServer | undefined;

serveRequests<ServerRequest, ServerReply>(async (request) => {
  switch (request.type) {
    case 'start': {
      const load = starters[request.server];
      if (!load) throw new Error(`unknown server ${request.server}`);
      server = await (await load())(request);
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
        heapTotal: memory.heapTotal,
        newSpace: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
        loopActiveMs: loop.active,
        loopIdleMs: loop.idle,
        resources,
        activeTopics: server?.activeTopics?.(),
      };
    }
    case 'snapshot':
      collectGarbage();
      return { type: 'snapshot', path: writeHeapSnapshot(request.path) };
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
