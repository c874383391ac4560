import type { Request } from 'express';
import { httpStatusOf, type ErrorCode } from '../../domain/errors.js';
import { historyCost, historyRange, type IndexRange } from '../../domain/history.js';
import { parseResolution, RESOLUTION_RULE, type Resolution } from '../../domain/resolution.js';
import { isValidSymbol, MAX_SYMBOL_LENGTH, SYMBOL_RULE } from '../../domain/symbol.js';
import { checkCatalog, type Catalog } from '../../streams/catalog.js';
import type { Bar } from '../../domain/bar.js';
import type { QuoteData } from '../../domain/quote.js';

/** Where the history endpoints' bars come from: the mock series (HistoryBars), and trade-fed symbols' store. */
export interface BarHistory {
  /** Waits for a turn at the event loop, in the queue bars are computed in. */
  turn(): Promise<void>;
  /** The bars of `range`, oldest first; the one forming at `now` too, if the range reaches it. Trade-fed symbols: only bars that exist. */
  bars(symbol: string, resolution: Resolution, range: IndexRange, now: number): Promise<Bar[]>;
  /** Whether `symbol`'s bars are built from trades (a period without trades has no bar). */
  tradeFed?(symbol: string): boolean;
  /** A trade-fed topic's latest final bar before `time`: what UDF's `nextTime` names when a range has none. */
  barBefore?(symbol: string, resolution: Resolution, time: number): Promise<Bar | undefined>;
  /** A trade-fed symbol's quote now, from its trade-built bars; undefined before its first trade. */
  quote?(symbol: string): QuoteData | undefined;
}

/** What the history endpoints need to answer: what is served, the limits, the series' start, the bars and the clock. */
export interface HistorySource {
  readonly catalog: Catalog;
  readonly seed: number;
  readonly maxBars: number;
  /** Most one request may cost, in day bars (historyCost). */
  readonly maxCost: number;
  /** Epoch ms of the listing: every series' first bar is the first period starting at or after it. */
  readonly listedAt: number;
  readonly bars: BarHistory;
  readonly now: () => number;
}

/** How an endpoint reads a query: its time unit, its default resolution, and whether the forming bar is history. */
export interface HistoryDialect {
  /** 1 for the REST API's milliseconds, 1000 for UDF's seconds. */
  readonly unitMs: number;
  readonly defaultResolution?: Resolution;
  /** Include the bar still forming (UDF servers do; the REST API leaves it to the live stream). */
  readonly forming: boolean;
}

export interface HistoryRequest {
  readonly symbol: string;
  readonly resolution: Resolution;
  readonly range: IndexRange;
  /** The clock the range was cut at: bars are computed as they stand then. */
  readonly now: number;
}

export interface HistoryError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export type HistoryParse = { readonly ok: true; readonly request: HistoryRequest } | { readonly ok: false; readonly error: HistoryError };

/**
 * Latest instant a query may name: the end of year 9999, far inside the range of `Date`;
 * the earliest is as far before 1970. Instants before the listing are valid, just empty.
 */
const MAX_TIME_MS = 253_402_300_799_999;

/**
 * Validates `symbol`, `resolution`, `from`, `to` and `countback` of a history query, given
 * in the dialect's unit, into the bars to return. Every failure is a 4xx with a message
 * naming the parameter; a range before the listing (or before 1970) is valid and empty.
 */
export function parseHistoryQuery(query: Request['query'], source: HistorySource, dialect: HistoryDialect): HistoryParse {
  try {
    return { ok: true, request: readHistoryQuery(query, source, dialect) };
  } catch (error) {
    if (error instanceof BadQuery) return { ok: false, error: { status: error.status, code: error.code, message: error.message } };
    throw error;
  }
}

/** A refused query; thrown by the readers below and turned into a HistoryError once. */
class BadQuery extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.status = httpStatusOf(code);
  }
}

function readHistoryQuery(query: Request['query'], source: HistorySource, dialect: HistoryDialect): HistoryRequest {
  const { unitMs, defaultResolution } = dialect;
  const symbol = single(query, 'symbol');
  if (symbol === undefined) throw new BadQuery('INVALID_SYMBOL', 'symbol is required, e.g. symbol=AAPL');
  if (symbol.length > MAX_SYMBOL_LENGTH || !isValidSymbol(symbol)) {
    throw new BadQuery('INVALID_SYMBOL', `symbol must be ${SYMBOL_RULE}`);
  }
  const spelling = single(query, 'resolution');
  const resolution = spelling === undefined ? defaultResolution : parseResolution(spelling);
  if (!resolution) throw new BadQuery('INVALID_RESOLUTION', `resolution must be ${RESOLUTION_RULE}`);
  const notServed = checkCatalog(source.catalog, symbol, resolution);
  if (notServed) throw new BadQuery(notServed.code, notServed.message);

  const now = source.now();
  const from = time(query, 'from', unitMs);
  const to = time(query, 'to', unitMs) ?? now;
  const countback = count(query, 'countback');
  if (countback === undefined) {
    if (from === undefined) throw new BadQuery('INVALID_RANGE', 'give from (with an optional to) or countback');
    if (from > to) throw new BadQuery('INVALID_RANGE', 'from must not be after to');
  } else if (countback > source.maxBars) {
    throw new BadQuery('RANGE_TOO_LARGE', `countback ${countback} is over the limit of ${source.maxBars} bars`);
  }
  const range = historyRange(resolution, {
    ...(from === undefined ? {} : { from }),
    to,
    ...(countback === undefined ? {} : { countback }),
    now,
    // A trade-fed symbol has no listing date: its history is what was stored, from its first bar.
    ...(source.bars.tradeFed?.(symbol) ? {} : { listedAt: source.listedAt }),
    forming: dialect.forming,
  });
  const size = range.end - range.first;
  if (size > source.maxBars) {
    throw new BadQuery('RANGE_TOO_LARGE', `the range holds ${size} bars, over the limit of ${source.maxBars}; narrow from/to or use countback`);
  }
  const cost = historyCost(resolution, range);
  if (cost > source.maxCost) {
    throw new BadQuery(
      'RANGE_TOO_LARGE',
      `the range costs ${cost} day bars to compute, over the budget of ${source.maxCost}; ask for fewer ${resolution} bars (a week costs 7, a month its days)`,
    );
  }
  return { symbol, resolution, range, now };
}

function single(query: Request['query'], name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function time(query: Request['query'], name: string, unitMs: number): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const unit = unitMs === 1 ? 'milliseconds' : 'seconds';
  if (typeof raw !== 'string' || !/^-?\d{1,16}$/.test(raw)) throw new BadQuery('INVALID_RANGE', `${name} must be an integer, epoch ${unit} (UTC)`);
  const value = Number(raw) * unitMs;
  if (Math.abs(value) > MAX_TIME_MS) throw new BadQuery('INVALID_RANGE', `${name} must lie within 8,000 years of 1970 (up to the year 9999), in epoch ${unit}`);
  return value;
}

function count(query: Request['query'], name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new BadQuery('INVALID_RANGE', `${name} must be a positive integer`);
  return Number(raw);
}
