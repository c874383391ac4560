import type { Bar } from '../domain/bar.js';
import { mergeBars } from '../domain/bar-tree.js';
import { nextPeriodStart, periodStart, type Resolution } from '../domain/resolution.js';
import { foldTrade, type TradeBar } from '../domain/trade-bar.js';
import type { ImportStore, TradeOrderKey } from '../store/import-store.js';
import type { StoredBar, TradeStore } from '../store/trade-store.js';

export interface RebuildRange {
  readonly symbol: string;
  /** The earliest and latest trade time imported for the symbol. */
  readonly from: number;
  readonly to: number;
}

export interface RebuildOptions {
  readonly store: TradeStore & ImportStore;
  /** The resolutions to build besides `1` (the configured ones). */
  readonly resolutions: readonly Resolution[];
  /** Only bars whose period has ended by then are built: a bar still open is the server's to build (recovery). */
  readonly closedBy: number;
  /** Called after each saved chunk, with how many bars were saved so far. */
  readonly onProgress?: (saved: number) => void;
}

const TRADE_PAGE = 10_000;
const BAR_CHUNK = 1_000;
const DAY_MS = 86_400_000;

/**
 * Builds the final bars of the periods an import touched, from what the store holds, and
 * saves them (an upsert). One-minute bars are folded from every stored trade of their minute,
 * in trade-time order, with the aggregator's own fold (foldTrade), so an imported minute
 * is what the live aggregator would have made of the same trades; every coarser bar is merged
 * from the stored one-minute bars of its period, so a coarse period whose older trades the
 * retention has pruned keeps them through their minutes. Resolves with the bars saved.
 */
export async function rebuildBars(range: RebuildRange, options: RebuildOptions): Promise<number> {
  const saver = new BarSaver(options);
  await rebuildMinutes(range, options, saver);
  for (const resolution of new Set(options.resolutions)) {
    if (resolution !== '1') await rebuildFromMinutes(range, resolution, options, saver);
  }
  await saver.flush();
  return saver.saved;
}

async function rebuildMinutes(range: RebuildRange, options: RebuildOptions, saver: BarSaver): Promise<void> {
  const from = periodStart('1', range.from);
  const to = Math.min(nextPeriodStart('1', range.to), periodStart('1', options.closedBy));
  let current: TradeBar | undefined;
  let after: TradeOrderKey | undefined;
  for (;;) {
    const page = await options.store.tradesInTimeOrder(range.symbol, from, to, after, TRADE_PAGE);
    for (const trade of page) {
      const minute = periodStart('1', trade.time);
      if (current && current.bar.time !== minute) {
        await saver.add(range.symbol, '1', current.bar);
        current = undefined;
      }
      current = foldTrade(current, trade, minute);
    }
    const last = page[page.length - 1];
    if (!last || page.length < TRADE_PAGE) break;
    after = { time: last.time, seq: last.seq };
  }
  if (current) await saver.add(range.symbol, '1', current.bar);
}

async function rebuildFromMinutes(range: RebuildRange, resolution: Resolution, options: RebuildOptions, saver: BarSaver): Promise<void> {
  const from = periodStart(resolution, range.from);
  const to = Math.min(nextPeriodStart(resolution, range.to), periodStart(resolution, options.closedBy)); // closed periods only
  await saver.flush(); // the minutes just built are what the coarse bars are merged from
  let current: Bar | undefined;
  // A day of minutes a read (at most 1440), whatever the resolution: one pass over the range.
  for (let day = from; day < to; day += DAY_MS) {
    for (const minute of await options.store.bars(range.symbol, '1', day, Math.min(day + DAY_MS, to), 1_440)) {
      const period = periodStart(resolution, minute.time);
      if (current && current.time !== period) {
        await saver.add(range.symbol, resolution, current);
        current = undefined;
      }
      current = current ? mergeBars(current, minute) : { ...minute, time: period };
    }
  }
  if (current) await saver.add(range.symbol, resolution, current);
}

/** Saves bars in chunks, so a rebuild of years holds a thousand bars at a time, not all of them. */
class BarSaver {
  saved = 0;
  private chunk: StoredBar[] = [];

  constructor(private readonly options: RebuildOptions) {}

  async add(symbol: string, resolution: Resolution, bar: Bar): Promise<void> {
    this.chunk.push({ symbol, resolution, bar });
    if (this.chunk.length >= BAR_CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    await this.options.store.saveBars(this.chunk);
    this.saved += this.chunk.length;
    this.chunk = [];
    this.options.onProgress?.(this.saved);
  }
}
