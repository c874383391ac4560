import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteTradeStore } from './sqlite-trade-store.js';
import { WORKER_READY, type WorkerCall, type WorkerError, type WorkerReply, type WorkerStart } from './sqlite-worker-protocol.js';
import { IngestOffsetConflict } from './ingest-offset-conflict.js';
import { StoreUnavailableError } from './store-unavailable.js';

/*
 * The SQLite store's own thread (sqlite-worker-store.ts starts it): the synchronous driver's
 * inserts, commits and WAL checkpoints (fsyncs) run here, never on the server's event loop.
 * Each call is made as the in-process store makes it, so a reply to appendTrades still means
 * "committed".
 */
const port = parentPort;
if (!port) throw new Error('sqlite-store-worker.ts runs as a worker thread (sqlite-worker-store.ts starts it)');
const start = workerData as WorkerStart;
const store = openSqliteTradeStore({ file: start.file, sync: start.sync, checkpoints: start.checkpoints });

function errorOf(error: unknown): WorkerError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return {
    message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error instanceof StoreUnavailableError ? { unavailable: error.reason } : {}),
    ...(error instanceof IngestOffsetConflict ? { offsetConflict: error.symbol } : {}),
  };
}

// Each call runs as it arrives, as it would in-process: the store's writes are synchronous,
// so they are made and answered in arrival order; a prune yields between its chunks, and the
// commits that come meanwhile go between them instead of waiting for the whole prune.
port.on('message', async (call: WorkerCall) => {
  let reply: WorkerReply;
  try {
    const value = call.method === 'close' ? await store.close() : await (store[call.method] as (...args: readonly unknown[]) => Promise<unknown>)(...call.args);
    reply = { id: call.id, ok: true, value, health: store.health() };
  } catch (error) {
    reply = { id: call.id, ok: false, error: errorOf(error), health: store.health() };
  }
  port.postMessage(reply);
  if (call.method === 'close') port.close();
});
port.postMessage(WORKER_READY);
