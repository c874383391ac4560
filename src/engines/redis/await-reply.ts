import { filter, map, type Observable, of, type SchedulerLike, take, timeout } from 'rxjs';
import type { TradeResult } from '../../domain/trade-result.js';
import type { ForwardReply } from './trade-stream.js';

/**
 * The results the lead generator sent for the forwarded publish `requestId`, off the gateway's
 * reply channel, or `undefined` when none came within `timeoutMs` (the trades are then refused
 * INGEST_UNAVAILABLE, never acknowledged). Subscribe before forwarding, so a quick answer is
 * not missed. One value, then complete.
 *
 * ```
 * replies:   --a--b--c--     (the answers of requests a, b, c)
 * await b:   -----(b|)       timeout 10
 * await z:   ----------(u|)  (u: undefined, at the timeout)
 * ```
 */
export function awaitReply(replies$: Observable<ForwardReply>, requestId: string, timeoutMs: number, scheduler: SchedulerLike): Observable<readonly TradeResult[] | undefined> {
  return replies$.pipe(
    filter((reply) => reply.requestId === requestId),
    map((reply): readonly TradeResult[] | undefined => reply.results),
    take(1),
    timeout({ first: timeoutMs, with: () => of(undefined), scheduler }),
  );
}
