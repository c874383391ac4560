import type { Bar } from './bar.js';
import { mergeBars } from './bar-tree.js';
import { quoteFromSessionBar, type QuoteData } from './quote.js';
import { periodStart, type Resolution } from './resolution.js';

/** A quote's session: the UTC day, for trade-fed symbols as for the mock's. */
export const QUOTE_SESSION: Resolution = '1D';

/**
 * The session bar so far of the minutes in `finals` (1-minute bars, oldest first) that lie in
 * the session of `time` and began before `time`, stamped with the session's start; undefined
 * when there are none. What `resample`'s `closedBefore` asks of a trade-fed symbol.
 */
export function sessionBefore(finals: readonly Bar[], time: number): Bar | undefined {
  const start = periodStart(QUOTE_SESSION, time);
  let session: Bar | undefined;
  for (const minute of finals) {
    if (minute.time < start) continue;
    if (minute.time >= time) break;
    session = session ? mergeBars(session, minute) : { ...minute, time: start };
  }
  return session;
}

/**
 * The close of the latest of `finals` (oldest first) that began before `time`: at a session's
 * start, the previous session's close (the last session that had trades, however long ago).
 */
export function closeBefore(finals: readonly Bar[], time: number): number | undefined {
  for (let index = finals.length - 1; index >= 0; index -= 1) {
    const bar = finals[index] as Bar;
    if (bar.time < time) return bar.close;
  }
  return undefined;
}

/**
 * The quote of a trade-fed symbol from its 1-minute bars: the session of its latest minute
 * (`forming`, else the last of `finals`) so far, against the close before that session (its
 * own open when no earlier minute is held, as toQuote does); undefined before the first trade.
 * A symbol not traded today is quoted on its last session that had trades.
 */
export function quoteFromMinutes(symbol: string, finals: readonly Bar[], forming: Bar | undefined): QuoteData | undefined {
  const latest = forming ?? finals.at(-1);
  if (latest === undefined) return undefined;
  const start = periodStart(QUOTE_SESSION, latest.time);
  const closed = sessionBefore(finals, latest.time);
  const session = closed ? mergeBars(closed, latest) : { ...latest, time: start };
  return quoteFromSessionBar(symbol, session, closeBefore(finals, start) ?? session.open);
}
