import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { nextPeriodStart, periodStart, type Resolution } from '../../domain/resolution.js';
import type { Trade } from '../../domain/trade.js';
import { foldTrade, type TradeBar } from '../../domain/trade-bar.js';
import type { TopicUpdate } from '../../domain/update.js';

/**
 * How far the trades handed to the operator are complete (the ingest's group commit, see
 * src/ingest/): trades are admitted at arrival but arrive here only once committed, so a bar
 * must not go final while a trade admitted before its final instant is still being written.
 */
export interface TradeWatermark {
  /** Admission instant of the oldest trade admitted and not yet handed over; +Infinity when none is. */
  heldBefore(): number;
  /** Emits whenever `heldBefore()` may have moved on (a commit was handed over, or failed). */
  readonly released$: Observable<unknown>;
}

/**
 * Bars of `resolution` from trades (docs/architecture.md, "Trade-built bars"): each trade is
 * folded into the bar of its own period (`foldTrade`), and the bar of period P goes `final`
 * at `P.end + latenessMs` on `scheduler` (and not before `watermark` says every trade admitted
 * before that instant is here), never to change again. A period without trades has no bar.
 *
 * The stream is in period order, one bar at a time, as a chart's realtime callback (and
 * barcast's own client, which drops an update older than the newest bar it shows) needs:
 * the bar shown is the oldest one not yet final, and a later bar is held, silently folding
 * its trades, until the one before it is final. A bar of period P is not shown before
 * `P.start + latenessMs` either (the previous period's final instant): until then a trade of
 * the previous period may still come, and would have to be shown before it. So each trade
 * of the bar shown gives a forming update at once; a trade of a later bar is carried by that
 * bar's first update, right after the final of the bar before; a trade of a bar already
 * final (admission refuses those, see admitTrade) is ignored.
 *
 * The source may also emit a batch of trades (a commit's worth, as the ingest hands them
 * over): it is folded whole, then settled once, so it gives one forming update, not one per
 * trade. Each update carries the bar's whole state, so nothing is lost, and at 50,000
 * trades/s the fan-out serializes and sends a few hundred updates a second instead of one
 * per trade (bench T1, T3).
 *
 * ```
 * resolution '1', lateness 2 s; a: trade at 0:10, b: at 1:00.5, c: at 0:59 (late, arrives 1:01)
 * trades:    --a-------b--c--------------
 * output:    --A----------C'--(FB)---------  A forming; C' bar 0 with c; at 1:02 F (bar 0 final), then B
 * ```
 */
export function aggregateTrades(
  resolution: Resolution,
  latenessMs: number,
  scheduler: SchedulerLike,
  watermark?: TradeWatermark,
): OperatorFunction<Trade | readonly Trade[], TopicUpdate<Bar>> {
  return (source) =>
    new Observable<TopicUpdate<Bar>>((subscriber) => {
      /** Bars not yet final, by period start. */
      const open = new Map<number, TradeBar>();
      let lastFinal = Number.NEGATIVE_INFINITY;
      /** The state last sent as a forming update (a fold makes a new object, so identity says "changed"). */
      let shown: TradeBar | undefined;
      let wake: { readonly at: number; readonly action: Subscription } | undefined;

      const finalAt = (bar: TradeBar): number => nextPeriodStart(resolution, bar.bar.time) + latenessMs;
      const showAt = (bar: TradeBar): number => bar.bar.time + latenessMs;
      const oldest = (): TradeBar | undefined => {
        let first: TradeBar | undefined;
        for (const bar of open.values()) if (first === undefined || bar.bar.time < first.bar.time) first = bar;
        return first;
      };

      const settle = (): void => {
        const now = scheduler.now();
        const upTo = Math.min(now, watermark?.heldBefore() ?? Number.POSITIVE_INFINITY);
        for (let bar = oldest(); bar !== undefined && finalAt(bar) <= upTo; bar = oldest()) {
          open.delete(bar.bar.time);
          lastFinal = bar.bar.time;
          shown = undefined;
          subscriber.next({ value: bar.bar, ts: now, final: true });
        }
        const current = oldest();
        if (current !== undefined && current !== shown && showAt(current) <= upTo) {
          shown = current;
          subscriber.next({ value: current.bar, ts: now, final: false });
        }
        schedule(current, now);
      };

      /** One timer: the next instant the oldest bar is shown or goes final. A watermark held past it wakes us instead. */
      const schedule = (current: TradeBar | undefined, now: number): void => {
        const at = current === undefined ? undefined : showAt(current) > now ? showAt(current) : finalAt(current);
        if (at === wake?.at && at !== undefined && at > now) return;
        wake?.action.unsubscribe();
        wake = undefined;
        if (at === undefined || at <= now) return;
        // A month's final is further off than a timer can wait (setTimeout fires at once past
        // 2^31-1 ms): wake at the longest wait instead, and settle() schedules the rest.
        wake = { at, action: scheduler.schedule(() => ((wake = undefined), settle()), Math.min(at - now, LONGEST_TIMER_MS)) };
      };

      const fold = (trade: Trade): void => {
        const time = periodStart(resolution, trade.time);
        if (time > lastFinal) open.set(time, foldTrade(open.get(time), trade, time));
      };

      const released = watermark?.released$.subscribe(() => settle());
      const trades = source.subscribe({
        next: (input) => {
          if (isBatch(input)) for (const trade of input) fold(trade);
          else fold(input);
          settle();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        trades.unsubscribe();
        released?.unsubscribe();
        wake?.action.unsubscribe();
      };
    });
}

/** The longest delay a Node timer takes (2^31-1 ms, about 24.8 days). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

const isBatch = (input: Trade | readonly Trade[]): input is readonly Trade[] => Array.isArray(input);
