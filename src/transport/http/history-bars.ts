import { LRUCache } from 'lru-cache';
import type { Bar } from '../../domain/bar.js';
import { barAt, historicalBars } from '../../domain/bar-path.js';
import type { IndexRange } from '../../domain/history.js';
import { periodIndex, type Resolution } from '../../domain/resolution.js';
import { TurnQueue } from './turn-queue.js';

/**
 * Bars per cached chunk, by resolution: a chunk is one slice of work, about 500 day bars at
 * most (64 weeks, 16 months; 64 bars of a finer resolution cost less), a millisecond or so.
 */
export function chunkBars(resolution: Resolution): number {
  return resolution === '1M' ? 16 : 64;
}

export interface HistoryBarsOptions {
  readonly seed: number;
  /** About how many closed bars the cache holds (as chunks of 64); 0 turns it off. */
  readonly cacheBars: number;
  /** Whose turn it is at the event loop; one queue for every history route. */
  readonly turns?: TurnQueue;
}

/**
 * The history endpoints' bars: closed bars in chunks of consecutive periods (chunkBars)
 * (aligned on the period index), kept in a bounded LRU once every bar of the chunk has
 * closed, so a chart paging back or reloading costs a lookup. A chunk that must be computed
 * waits for its turn at the event loop first (TurnQueue): however many requests are served at
 * once, they never hold the loop longer than one chunk, and the fan-out keeps its timing.
 */
export class HistoryBars {
  private readonly cache: LRUCache<string, readonly Bar[]> | undefined;
  private readonly turns: TurnQueue;
  private readonly cachedTurns = new TurnQueue();

  constructor(private readonly options: HistoryBarsOptions) {
    const chunks = Math.floor(options.cacheBars / 64);
    this.cache = chunks > 0 ? new LRUCache({ max: chunks }) : undefined;
    this.turns = options.turns ?? new TurnQueue();
  }

  /** Waits for a turn at the event loop, in the queue the bars are computed in (to encode them in slices too). */
  turn(): Promise<void> {
    return this.turns.turn();
  }

  /** The bars of `range`, oldest first; the one forming at `now` too, if the range reaches it. */
  async bars(symbol: string, resolution: Resolution, range: IndexRange, now: number): Promise<Bar[]> {
    const context = { seed: this.options.seed, symbol, resolution };
    const current = periodIndex(resolution, now);
    const closedEnd = Math.min(range.end, current);
    const size = chunkBars(resolution);
    const bars: Bar[] = [];
    for (let start = Math.floor(range.first / size) * size; start < closedEnd; start += size) {
      const from = Math.max(range.first, start);
      const to = Math.min(closedEnd, start + size);
      if (start + size > current) {
        // The chunk holds the forming bar (or is after it): not history yet, so not cached.
        await this.turns.turn();
        bars.push(...historicalBars(context, from, to));
        continue;
      }
      const chunk = await this.closedChunk(`${symbol}:${resolution}:${start}`, () => historicalBars(context, start, start + size));
      for (let index = from; index < to; index += 1) bars.push(chunk[index - start] as Bar);
    }
    if (range.first <= current && current < range.end) bars.push(barAt(context, now));
    return bars;
  }

  private async closedChunk(key: string, compute: () => readonly Bar[]): Promise<readonly Bar[]> {
    const cached = this.cache?.get(key);
    if (cached) {
      // Served from the cache, a chunk is cheap, but twenty requests would copy their thousands
      // of bars back to back in one loop iteration, ahead of every timer: cached chunks take
      // turns too, in their own queue (one per iteration), apart from the chunks computed.
      await this.cachedTurns.turn();
      return cached;
    }
    await this.turns.turn();
    const chunk = compute();
    this.cache?.set(key, chunk);
    return chunk;
  }
}
