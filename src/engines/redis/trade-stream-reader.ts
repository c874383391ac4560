import type { Cluster, Redis } from 'ioredis';
import type { SchedulerLike } from 'rxjs';
import { readTradeStream, type StreamEntry } from './trade-stream.js';

export interface TradeStreamReaderOptions {
  /** A connection of its own: XREAD BLOCK holds it while it waits. */
  readonly connection: Redis | Cluster;
  readonly key: string;
  /** The committed offset to continue after (undefined: the stream's start). */
  readonly after: string | undefined;
  /** Called with each entry, in stream order. */
  readonly onEntry: (entry: StreamEntry) => void;
  /** Whether the ingest is full (INGEST_MAX_PENDING): reading waits, and Redis holds the entries meanwhile. */
  readonly full: () => boolean;
  readonly scheduler: SchedulerLike;
  readonly reportError: (error: unknown) => void;
  /** Longest wait of one XREAD (ms); also how late a stop is noticed at most. */
  readonly blockMs?: number;
  /** Most entries per read. */
  readonly count?: number;
  /** Pause after a failed read (Redis away) or while the ingest is full. */
  readonly pauseMs?: number;
}

/**
 * The lead generator's read of one symbol's trade stream: entry after entry from the offset
 * it continues after, each handed on in order, until stopped. A failed read (Redis away, a
 * shard failing over) pauses and reads again from the same place, so nothing is skipped; a
 * full ingest pauses the reading, which is the generator's back-pressure (gateways time the
 * waiting trades out).
 */
export function readTradeStreamEntries(options: TradeStreamReaderOptions): { stop(): void } {
  const { connection, key, onEntry, full, scheduler, reportError, blockMs = 1_000, count = 500, pauseMs = 50 } = options;
  let stopped = false;
  let cursor = options.after ?? '0-0';
  const pause = () => new Promise<void>((resolve) => scheduler.schedule(() => resolve(), pauseMs));
  void (async () => {
    while (!stopped) {
      // Full, or its own connection not up yet (just opened, or reconnecting): wait, read nothing.
      if (full() || connection.status !== 'ready') {
        await pause();
        continue;
      }
      let entries: StreamEntry[];
      try {
        entries = await readTradeStream(connection, key, cursor, count, blockMs);
      } catch (error) {
        if (!stopped) reportError(error);
        await pause();
        continue;
      }
      for (const entry of entries) {
        if (stopped) return;
        cursor = entry.id;
        onEntry(entry);
      }
    }
  })();
  return {
    stop: () => {
      stopped = true;
    },
  };
}
