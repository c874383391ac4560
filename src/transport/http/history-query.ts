import type { Request } from 'express';
import type { ErrorCode } from '../../domain/errors.js';
import { historyRange, type IndexRange } from '../../domain/history.js';
import { parseResolution, type Resolution } from '../../domain/resolution.js';
import { isValidSymbol, MAX_SYMBOL_LENGTH } from '../../domain/symbol.js';
import { checkCatalog, type Catalog } from '../../streams/catalog.js';

/** What the history endpoints need to answer: what is served, the limit, and the clock. */
export interface HistorySource {
  readonly catalog: Catalog;
  readonly seed: number;
  readonly maxBars: number;
  readonly now: () => number;
}

export interface HistoryRequest {
  readonly symbol: string;
  readonly resolution: Resolution;
  readonly range: IndexRange;
}

export interface HistoryError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export type HistoryParse = { readonly ok: true; readonly request: HistoryRequest } | { readonly ok: false; readonly error: HistoryError };

/** Latest instant a query may name: the end of year 9999, far inside the range of `Date`. */
const MAX_TIME_MS = 253_402_300_799_999;

/**
 * Validates `symbol`, `resolution`, `from`, `to` and `countback` of a history query, given
 * in `unitMs` (1 for the REST API's milliseconds, 1000 for UDF's seconds), into the closed
 * bars to return. Every failure is a 4xx with a message naming the parameter.
 */
export function parseHistoryQuery(
  query: Request['query'],
  source: HistorySource,
  unitMs: number,
  defaultResolution?: Resolution,
): HistoryParse {
  const symbol = single(query, 'symbol');
  if (symbol === undefined) return fail(400, 'INVALID_SYMBOL', 'symbol is required, e.g. symbol=AAPL');
  if (symbol.length > MAX_SYMBOL_LENGTH || !isValidSymbol(symbol)) {
    return fail(400, 'INVALID_SYMBOL', `symbol must be 1-${MAX_SYMBOL_LENGTH} characters of A-Z, 0-9, ".", "_" or "-"`);
  }
  const spelling = single(query, 'resolution');
  const resolution = spelling === undefined ? defaultResolution : parseResolution(spelling);
  if (!resolution) return fail(400, 'INVALID_RESOLUTION', 'resolution must be one of 1, 5, 15, 30, 60, 240, D/1D, W/1W, M/1M');
  const notServed = checkCatalog(source.catalog, symbol, resolution);
  if (notServed) return fail(notServed.code === 'UNKNOWN_SYMBOL' ? 404 : 400, notServed.code, notServed.message);

  const now = source.now();
  const from = time(query, 'from', unitMs);
  const to = time(query, 'to', unitMs) ?? { value: now };
  const countback = count(query, 'countback');
  for (const parsed of [from, to, countback]) if (parsed && 'error' in parsed) return { ok: false, error: parsed.error };
  const fromMs = from && 'value' in from ? from.value : undefined;
  const toMs = 'value' in to ? to.value : now;
  const bars = countback && 'value' in countback ? countback.value : undefined;
  if (fromMs === undefined && bars === undefined) return fail(400, 'INVALID_RANGE', 'give from (with an optional to) or countback');
  if (bars === undefined && fromMs !== undefined && fromMs > toMs) return fail(400, 'INVALID_RANGE', 'from must not be after to');
  if (bars !== undefined && bars > source.maxBars) {
    return fail(400, 'RANGE_TOO_LARGE', `countback ${bars} is over the limit of ${source.maxBars} bars`);
  }
  const range = historyRange(resolution, { ...(fromMs === undefined ? {} : { from: fromMs }), to: toMs, ...(bars === undefined ? {} : { countback: bars }), now });
  const size = range.end - range.first;
  if (size > source.maxBars) {
    return fail(400, 'RANGE_TOO_LARGE', `the range holds ${size} bars, over the limit of ${source.maxBars}; narrow from/to or use countback`);
  }
  return { ok: true, request: { symbol, resolution, range } };
}

type Parsed<T> = { readonly value: T } | { readonly error: HistoryError } | undefined;

function single(query: Request['query'], name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function time(query: Request['query'], name: string, unitMs: number): Parsed<number> {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const unit = unitMs === 1 ? 'milliseconds' : 'seconds';
  if (typeof raw !== 'string' || !/^-?\d{1,16}$/.test(raw)) {
    return { error: { status: 400, code: 'INVALID_RANGE', message: `${name} must be an integer, epoch ${unit} (UTC)` } };
  }
  const value = Number(raw) * unitMs;
  if (value < 0 || value > MAX_TIME_MS) {
    return { error: { status: 400, code: 'INVALID_RANGE', message: `${name} must lie between 1970 and the year 9999, in epoch ${unit}` } };
  }
  return { value };
}

function count(query: Request['query'], name: string): Parsed<number> {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    return { error: { status: 400, code: 'INVALID_RANGE', message: `${name} must be a positive integer` } };
  }
  return { value: Number(raw) };
}

function fail(status: number, code: ErrorCode, message: string): HistoryParse {
  return { ok: false, error: { status, code, message } };
}
