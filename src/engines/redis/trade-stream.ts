import type { Cluster, Redis } from 'ioredis';
import type { Trade } from '../../domain/trade.js';
import type { TradeResult } from '../../domain/trade-result.js';

/**
 * How far each symbol's trade stream is trimmed (XADD MAXLEN ~, entries: one per forwarded
 * publish). The lead generator reads entries as they come and commits them within a commit or
 * two, so only an entry that waited this long behind others (no generator leading the symbol
 * for a while, with publishers retrying) can be trimmed unread; its gateway refused it long
 * before (INGEST_FORWARD_TIMEOUT_MS), so no acknowledged trade is lost. With the largest
 * publishes (a few thousand trades) this bounds a stream to some hundreds of megabytes; the
 * usual publish of tens of trades, to a few.
 */
export const TRADE_STREAM_MAX_ENTRIES = 10_000;

/** A publish's admitted trades of one symbol, as a gateway forwards them: one stream entry. */
export interface ForwardedPublish {
  /** Names the publish in the answer (unique per gateway). */
  readonly requestId: string;
  /** The gateway's answer channel (ingestReplyChannel). */
  readonly replyTo: string;
  readonly trades: readonly Trade[];
}

/** A stream entry as the lead generator reads it; `trades` is untrusted until the ingest parses it. */
export interface StreamEntry {
  readonly id: string;
  readonly requestId: string;
  readonly replyTo: string;
  readonly trades: readonly unknown[];
}

/** Appends one forwarded publish to the stream at `key`, trimming it; resolves with the entry id. */
export async function appendToTradeStream(redis: Redis | Cluster, key: string, publish: ForwardedPublish): Promise<string> {
  const id = await redis.xadd(key, 'MAXLEN', '~', TRADE_STREAM_MAX_ENTRIES, '*', 'request', publish.requestId, 'reply', publish.replyTo, 'trades', JSON.stringify(publish.trades));
  if (id === null) throw new Error(`XADD to ${key} added nothing`);
  return id;
}

/**
 * The entries of the stream at `key` after id `after` ('0-0': from its start), at most `count`,
 * waiting up to `blockMs` for the first one (XREAD BLOCK: run it on a connection of its own).
 * Resolves with none when nothing came. A malformed entry is passed on with no trades, so
 * the reader still moves past it.
 */
export async function readTradeStream(redis: Redis | Cluster, key: string, after: string, count: number, blockMs: number): Promise<StreamEntry[]> {
  const reply = await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, after);
  const items = reply?.[0]?.[1] ?? [];
  return items.map(([id, fields]) => entryOf(id, fields));
}

function entryOf(id: string, fields: readonly string[]): StreamEntry {
  const field = (name: string): string => {
    const at = fields.indexOf(name);
    return at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? '') : '';
  };
  let trades: unknown;
  try {
    trades = JSON.parse(field('trades'));
  } catch {
    trades = [];
  }
  return { id, requestId: field('request'), replyTo: field('reply'), trades: Array.isArray(trades) ? trades : [] };
}

/** The answer to one forwarded publish: each trade's result, in the order forwarded. */
export interface ForwardReply {
  readonly requestId: string;
  readonly results: readonly TradeResult[];
}

export function forwardReplyText(reply: ForwardReply): string {
  return JSON.stringify(reply);
}

const STATUSES = new Set(['accepted', 'duplicate', 'refused']);

/** An answer read off the reply channel, or undefined when it is not one (ignored). */
export function parseForwardReply(text: string): ForwardReply | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { requestId, results } = value as { requestId?: unknown; results?: unknown };
  if (typeof requestId !== 'string' || !Array.isArray(results)) return undefined;
  const valid = results.every((result: unknown) => typeof result === 'object' && result !== null && STATUSES.has(String((result as { status?: unknown }).status)));
  return valid ? { requestId, results: results as TradeResult[] } : undefined;
}
