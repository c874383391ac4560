import type { Worker } from 'node:worker_threads';
import type { Bar } from '../domain/bar.js';
import type { Resolution } from '../domain/resolution.js';
import type { Trade } from '../domain/trade.js';
import type { ImportCheckpoint, ImportStore, TradeOrderKey } from './import-store.js';
import type { SqliteStoreOptions } from './sqlite-trade-store.js';
import { CheckpointThread } from './sqlite-checkpoint-thread.js';
import { WORKER_READY, type WorkerCall, type WorkerMethod, type WorkerReply, type WorkerStart } from './sqlite-worker-protocol.js';
import { startStoreThread } from './store-thread.js';
import { IngestOffsetConflict } from './ingest-offset-conflict.js';
import { StoreUnavailableError } from './store-unavailable.js';
import type { OffsetAdvance, StoredBar, StoredTrade, StoreHealth, TradeStore } from './trade-store.js';

/**
 * The SQLite store on a worker thread (docs/architecture.md, "Trade-built bars"): the same
 * store as openSqliteTradeStore, the same file, statements and transactions, run by
 * sqlite-store-worker.ts. libsql is synchronous, so in-process every commit, its fsync (with
 * INGEST_SYNC=full) and every WAL checkpoint held the event loop: a 5,000-trade commit is
 * 35-45 ms of it (bench T3). Here the loop only posts the trades and reads the answer, and the
 * WAL's checkpoints run on a third thread (sqlite-checkpointer.ts), off the commits' path.
 * Durability is unchanged: appendTrades resolves only once the worker's COMMIT returned.
 * Writes are made in the order they were called (a prune's chunks go between them, as in-process).
 */
export async function openSqliteWorkerTradeStore(options: SqliteStoreOptions): Promise<TradeStore & ImportStore> {
  const worker = startStoreThread('sqlite-store-worker', { file: options.file, sync: options.sync, checkpoints: 'background' } satisfies WorkerStart);
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    worker.once('error', failed);
    worker.once('message', (message: unknown) => {
      worker.off('error', failed);
      if (message === WORKER_READY) resolve();
      else reject(new Error(`the SQLite store worker said ${String(message)} before it was ready`));
    });
  });
  return new SqliteWorkerTradeStore(worker, new CheckpointThread(options.file));
}

class SqliteWorkerTradeStore implements TradeStore, ImportStore {
  private nextId = 1;
  private readonly calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private health_: StoreHealth = { writable: true };
  private closed: Promise<void> | undefined;
  private exited: Error | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly checkpoints: CheckpointThread,
  ) {
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the SQLite store worker exited (code ${code})`)));
    // Like a socket: the worker keeps the process alive only while a call waits for it.
    worker.unref();
  }

  appendTrades(trades: readonly Trade[], advances: readonly OffsetAdvance[] = []): Promise<readonly boolean[]> {
    if (trades.length === 0 && advances.length === 0) return Promise.resolve([]);
    return this.call('appendTrades', [trades, advances]);
  }
  ingestOffset(symbol: string): Promise<string | undefined> {
    return this.call('ingestOffset', [symbol]);
  }
  appendImportBatch(fileKey: string, trades: readonly Trade[], checkpoint: ImportCheckpoint): Promise<readonly boolean[]> {
    return this.call('appendImportBatch', [fileKey, trades, checkpoint]);
  }
  saveImportCheckpoint(fileKey: string, checkpoint: ImportCheckpoint): Promise<void> {
    return this.call('saveImportCheckpoint', [fileKey, checkpoint]);
  }
  importCheckpoint(fileKey: string): Promise<ImportCheckpoint | undefined> {
    return this.call('importCheckpoint', [fileKey]);
  }
  tradesSince(symbol: string, from: number): Promise<readonly StoredTrade[]> {
    return this.call('tradesSince', [symbol, from]);
  }
  tradesInTimeOrder(symbol: string, from: number, to: number, after: TradeOrderKey | undefined, limit: number): Promise<readonly StoredTrade[]> {
    return this.call('tradesInTimeOrder', [symbol, from, to, after, limit]);
  }
  saveBars(bars: readonly StoredBar[]): Promise<void> {
    return this.call('saveBars', [bars]);
  }
  bars(symbol: string, resolution: Resolution, from: number, to: number, limit: number): Promise<readonly Bar[]> {
    return this.call('bars', [symbol, resolution, from, to, limit]);
  }
  lastBar(symbol: string, resolution: Resolution): Promise<Bar | undefined> {
    return this.call('lastBar', [symbol, resolution]);
  }
  prune(tradesBefore: number, barsBefore: number): Promise<{ readonly trades: number; readonly bars: number }> {
    return this.call('prune', [tradesBefore, barsBefore]);
  }

  health(): StoreHealth {
    return this.health_;
  }

  /**
   * Stops the checkpointer, then waits for the calls made before it (the worker answers in
   * order) and ends the worker: the store's connection is the last, so its close checkpoints what is left.
   */
  close(): Promise<void> {
    this.closed ??= this.checkpoints.stop().then(() =>
      this.exited ? undefined : this.send<void>('close', []).then(() => this.worker.terminate().then(() => undefined)),
    );
    return this.closed;
  }

  private call<T>(method: WorkerMethod, args: readonly unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the trade store is closed'));
    return this.send<T>(method, args);
  }

  private send<T>(method: WorkerCall['method'], args: readonly unknown[]): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // Posted first: arguments that cannot be cloned throw here, and leave nothing waiting.
      this.worker.postMessage({ id, method, args } satisfies WorkerCall);
      if (this.calls.size === 0) this.worker.ref();
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private settle(reply: WorkerReply): void {
    const call = this.calls.get(reply.id);
    if (!call) return;
    this.calls.delete(reply.id);
    if (this.calls.size === 0) this.worker.unref();
    this.health_ = reply.health;
    if (reply.ok) return call.resolve(reply.value);
    const { message, code, unavailable, offsetConflict } = reply.error;
    // Rebuilt as the in-process store throws it: the ingest tells STORE_UNAVAILABLE and a lost offset race by their classes.
    const error =
      offsetConflict !== undefined
        ? new IngestOffsetConflict(offsetConflict)
        : unavailable === undefined
          ? new Error(message)
          : new StoreUnavailableError(unavailable, { cause: Object.assign(new Error(message), { code }) });
    if (code !== undefined && unavailable === undefined) Object.assign(error, { code });
    call.reject(error);
  }

  /** The worker died (a crash, or terminate after close): every call still waiting is refused. */
  private fail(error: Error): void {
    this.exited ??= error;
    if (!this.closed) this.health_ = { writable: false, reason: `the SQLite store worker stopped: ${error.message}` };
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
  }
}
