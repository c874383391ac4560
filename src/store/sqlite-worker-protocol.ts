import type { ImportStore } from './import-store.js';
import type { StoreHealth, TradeStore } from './trade-store.js';

/** The store methods the worker serves: every TradeStore and ImportStore call but health() and close(). */
export type WorkerMethod = Exclude<keyof (TradeStore & ImportStore), 'health' | 'close'>;

/** Main thread -> worker: one store call (`close` ends the worker once everything before it is answered). */
export type WorkerCall = { readonly id: number; readonly method: WorkerMethod | 'close'; readonly args: readonly unknown[] };

/** An error that crossed from the worker: enough to rebuild what the store threw. */
export interface WorkerError {
  readonly message: string;
  readonly code?: string;
  /** Set for a StoreUnavailableError: the reason health() reports. */
  readonly unavailable?: string;
  /** Set for an IngestOffsetConflict: the symbol whose offset moved. */
  readonly offsetConflict?: string;
}

/** Worker -> main thread: a call's outcome, with the store's health after it (health() is synchronous). */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly health: StoreHealth }
  | { readonly id: number; readonly ok: false; readonly error: WorkerError; readonly health: StoreHealth };

/** Worker -> main thread, once: the store is open and migrated (a failure to open is the worker's 'error' event). */
export const WORKER_READY = 'ready';

/** What the worker is started with (workerData). */
export interface WorkerStart {
  readonly file: string;
  readonly sync: 'normal' | 'full';
  readonly checkpoints: 'writer' | 'background';
}

/** What the checkpointer (sqlite-checkpointer.ts) is started with (workerData). */
export interface CheckpointerStart {
  readonly file: string;
}

/** Main thread -> checkpointer: stop, close the connection, then answer CHECKPOINTER_CLOSED. */
export const CHECKPOINTER_CLOSE = 'close';
export const CHECKPOINTER_CLOSED = 'closed';
