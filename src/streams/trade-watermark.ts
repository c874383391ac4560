import { Subject, type Observable } from 'rxjs';
import type { TradeWatermark } from './operators/aggregate-trades.js';

/**
 * The ingest's side of the watermark the trade aggregation waits for (aggregateTrades): the
 * admission instant of each batch of trades from its admission until it is handed to the
 * aggregator (or refused). A bar whose final instant lies after the oldest of them waits.
 */
export class AdmissionWatermark implements TradeWatermark {
  private readonly admitted = new Map<number, number>();
  private next = 0;
  private readonly released = new Subject<void>();
  readonly released$: Observable<unknown> = this.released;

  /** A batch admitted at `at` is on its way; returns the ticket to release it with. */
  hold(at: number): number {
    const ticket = (this.next += 1);
    this.admitted.set(ticket, at);
    return ticket;
  }

  /** The batch of `ticket` has been handed over (or refused): bars it held may go final. */
  release(ticket: number): void {
    if (this.admitted.delete(ticket)) this.released.next();
  }

  heldBefore(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const at of this.admitted.values()) oldest = Math.min(oldest, at);
    return oldest;
  }
}
