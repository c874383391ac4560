import type { TradeResult } from '../domain/trade-result.js';
import { IngestOffsetConflict } from '../store/ingest-offset-conflict.js';
import type { TradeStore } from '../store/trade-store.js';
import type { Ingest } from './ingest.js';

/** The aggregation as a stream-fed ingest leads it: one symbol at a time (engines/trades' TradeAggregator). */
export interface SymbolAggregation {
  lead(symbol: string): Promise<void>;
  release(symbol: string): void;
}

/**
 * A generator's ingest (docs/architecture.md, "With Redis"): while this process holds a
 * trade-fed symbol's lease it runs the very ingest standalone runs on the entries of the
 * symbol's trade stream, each committed with its entry id as the symbol's offset. `lead`
 * recovers the symbol's bars and says where to continue the stream; `release` stops it; an
 * answer is dropped (undefined) once the lead it was read under has ended, since another
 * process answers the entry then. A lost offset race (two processes that both thought they
 * led) ends the lead at once and is reported through `onLost`.
 */
export class StreamIngest {
  /** Per symbol: the lead's number while led, and the publishes of the lead in flight. */
  private readonly leads = new Map<string, { readonly generation: number; readonly inFlight: Set<Promise<unknown>> }>();
  private generation = 0;
  private closing = false;
  private lostListener: ((symbol: string) => void) | undefined;

  constructor(
    /** The trade-fed symbols (INGEST_SYMBOLS): those it may lead. */
    readonly symbols: readonly string[],
    private readonly ingest: Ingest,
    private readonly aggregation: SymbolAggregation,
    private readonly store: Pick<TradeStore, 'ingestOffset'>,
  ) {}

  get pending(): number {
    return this.ingest.pending;
  }

  get maxPending(): number {
    return this.ingest.maxPending;
  }

  /** Called with a symbol whose lead ended by itself (its offset moved under it). */
  onLost(listener: (symbol: string) => void): void {
    this.lostListener = listener;
  }

  /**
   * Starts leading `symbol`: waits for the commits of an earlier lead of it still in flight,
   * recovers its bars from the store, and resolves with the stream id to continue after
   * (undefined: the stream's start). Rejects if the store cannot be read; then nothing is led.
   */
  async lead(symbol: string): Promise<string | undefined> {
    const earlier = this.leads.get(symbol);
    if (earlier) await Promise.allSettled([...earlier.inFlight]);
    const generation = (this.generation += 1);
    const inFlight = new Set<Promise<unknown>>();
    this.leads.set(symbol, { generation, inFlight });
    try {
      await this.aggregation.lead(symbol);
      const offset = await this.store.ingestOffset(symbol);
      if (this.leads.get(symbol)?.generation !== generation) throw new Error(`the lead of ${symbol} ended while it recovered`);
      this.ingest.continueStream(symbol, offset);
      return offset;
    } catch (error) {
      if (this.leads.get(symbol)?.generation === generation) this.leads.delete(symbol);
      this.aggregation.release(symbol);
      throw error;
    }
  }

  /** Stops leading `symbol` here: its aggregation stops; what is in flight still commits, its answers are dropped. */
  release(symbol: string): void {
    const lead = this.leads.get(symbol);
    if (!lead) return;
    // Kept (with no generation of its own) until its publishes settle, so the next lead waits for them.
    this.leads.set(symbol, { generation: -1, inFlight: lead.inFlight });
    this.aggregation.release(symbol);
  }

  /** Ingests one stream entry of `symbol`; resolves with each trade's result, or undefined when the lead ended first. */
  async ingestEntry(symbol: string, entryId: string, trades: readonly unknown[]): Promise<readonly TradeResult[] | undefined> {
    const lead = this.leads.get(symbol);
    // Shutting down: an entry read now is left to the next leader (the offset stays before it), not refused.
    if (!lead || lead.generation < 0 || this.closing) return undefined;
    // Authorized at the gateway that forwarded it; the symbol's own check (is it trade-fed) runs again here.
    const publish = this.ingest.publish(trades, '*', { symbol, entryId });
    lead.inFlight.add(publish);
    try {
      const results = await publish;
      return this.leads.get(symbol)?.generation === lead.generation ? results : undefined;
    } finally {
      lead.inFlight.delete(publish);
    }
  }

  /** Takes no more entries (the process is stopping): what is in flight still commits and is answered. */
  close(): void {
    this.closing = true;
  }

  /** The ingest's commit failures: a lost offset race ends that symbol's lead. */
  storeFailed(error: unknown): void {
    if (!(error instanceof IngestOffsetConflict)) return;
    const lead = this.leads.get(error.symbol);
    if (!lead || lead.generation < 0) return;
    this.release(error.symbol);
    this.lostListener?.(error.symbol);
  }
}
