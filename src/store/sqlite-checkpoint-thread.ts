import type { Worker } from 'node:worker_threads';
import { CHECKPOINTER_CLOSE, CHECKPOINTER_CLOSED, type CheckpointerStart } from './sqlite-worker-protocol.js';
import { startStoreThread } from './store-thread.js';

/**
 * The WAL's checkpoints on their own thread (sqlite-checkpointer.ts), for a store opened with
 * `checkpoints: 'background'` on `file`; started once the store has created and migrated the
 * file, which the checkpointer only opens. If it fails to start or dies, the store carries on:
 * the writer's backstop checkpoint (WAL_BACKSTOP_PAGES) bounds the WAL.
 */
export class CheckpointThread {
  private readonly worker: Worker;
  private exited = false;
  private stopped: Promise<void> | undefined;

  constructor(file: string) {
    this.worker = startStoreThread('sqlite-checkpointer', { file } satisfies CheckpointerStart);
    this.worker.on('error', () => undefined);
    this.worker.once('exit', () => (this.exited = true));
    // Never what keeps the process alive.
    this.worker.unref();
  }

  /** Ends the thread once its connection is closed (before the store's, whose close checkpoints what is left). */
  stop(): Promise<void> {
    this.stopped ??= this.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => resolve();
          this.worker.once('exit', done);
          this.worker.once('message', (message: unknown) => {
            if (message === CHECKPOINTER_CLOSED) void this.worker.terminate().then(done, done);
          });
          this.worker.postMessage(CHECKPOINTER_CLOSE);
        });
    return this.stopped;
  }
}

/** `store` (on this thread, opened with `checkpoints: 'background'`) with its checkpoints on their own thread, stopped first on close. */
export function withCheckpointThread<S extends { close(): Promise<void> }>(store: S, file: string): S {
  const checkpoints = new CheckpointThread(file);
  const close = store.close.bind(store);
  let closed: Promise<void> | undefined;
  return Object.assign(store, { close: () => (closed ??= checkpoints.stop().then(close)) });
}
