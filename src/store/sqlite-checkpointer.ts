import { parentPort, workerData } from 'node:worker_threads';
import Database from 'libsql';
import { CHECKPOINTER_CLOSE, CHECKPOINTER_CLOSED, type CheckpointerStart } from './sqlite-worker-protocol.js';

/*
 * The WAL's checkpoints on a thread of their own (CheckpointThread in sqlite-checkpoint-thread.ts
 * starts it, beside the store's worker or beside the store on the event loop): a PASSIVE
 * checkpoint every CHECKPOINT_EVERY_MS from a second connection to the same file. PASSIVE never waits for and never blocks the writer: it copies the pages
 * committed so far while commits go on, so a commit no longer pays for copying and syncing
 * the WAL now and then (docs/architecture.md, "SQLite on its own thread"). The writer still
 * checkpoints by itself once the WAL reaches WAL_BACKSTOP_PAGES (sqlite-trade-store.ts): if
 * this thread falls behind, fails (a full disk) or dies, the WAL stays bounded all the same,
 * which is why a failed checkpoint here is only tried again at the next turn.
 */
const port = parentPort;
if (!port) throw new Error('sqlite-checkpointer.ts runs as a worker thread (sqlite-checkpoint-thread.ts starts it)');
const { file } = workerData as CheckpointerStart;

/**
 * About 600 KB of WAL at 50,000 trades/s, so each checkpoint is short; idle, it is a no-op
 * pragma. Measured in interleaved quick T3 runs on a quiet machine (three each): commit p99
 * 2.8-3.8 ms at 20 ms, 2.9-4.8 ms at 200 ms, 6.8-8.4 ms with SQLite's checkpoints on the writer.
 */
const CHECKPOINT_EVERY_MS = 20;
/** A checkpoint only reads the WAL and writes pages nobody else writes; it waits briefly for a lock, never for long. */
const BUSY_TIMEOUT_MS = 100;

const db = new Database(file);
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Tried again in CHECKPOINT_EVERY_MS; the writer's backstop bounds the WAL meanwhile.
  }
}, CHECKPOINT_EVERY_MS);

port.on('message', (message: unknown) => {
  if (message !== CHECKPOINTER_CLOSE) return;
  clearInterval(timer);
  db.close();
  port.postMessage(CHECKPOINTER_CLOSED);
  port.close();
});
