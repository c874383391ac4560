import { requestError, type ErrorCode } from '../domain/errors.js';
import { isRecord } from '../domain/json-record.js';
import { parseResolution, RESOLUTION_RULE } from '../domain/resolution.js';
import { normaliseSymbol, SYMBOL_RULE } from '../domain/symbol.js';
import type { BarsTopic } from '../domain/topic.js';
import { checkCatalog, type Catalog } from './catalog.js';
import type { ParseResult } from './topic-kind.js';

export const DEFAULT_RESOLUTION = '1';

/**
 * Accepts `{ symbol, params: { resolution } }` and, for older clients, the flat
 * `{ symbol, resolution }`. Resolution defaults to `1`. Other fields are ignored. A symbol is
 * accepted as UDF accepts it (`aapl`, `BARCAST:AAPL` are `AAPL`), so a chart that reads history
 * over UDF subscribes with the same spelling; responses carry the normalised one.
 */
export function parseBarsPayload(payload: unknown, catalog: Catalog): ParseResult<BarsTopic> {
  if (!isRecord(payload)) {
    return fail('INVALID_PAYLOAD', 'payload must be an object like {"symbol":"AAPL","params":{"resolution":"1"}}');
  }
  const { symbol } = payload;
  if (typeof symbol !== 'string') return fail('INVALID_PAYLOAD', 'payload.symbol must be a string');
  const normalised = normaliseSymbol(symbol);
  if (normalised === undefined) return fail('INVALID_SYMBOL', `payload.symbol must be ${SYMBOL_RULE} (optionally prefixed BARCAST:)`);
  const spelling = resolutionSpelling(payload);
  if (spelling === undefined) {
    return fail('INVALID_PAYLOAD', 'payload.params.resolution (or payload.resolution) must be a string');
  }
  const resolution = parseResolution(spelling);
  if (!resolution) return fail('INVALID_RESOLUTION', `resolution must be ${RESOLUTION_RULE}`);
  const notServed = checkCatalog(catalog, normalised, resolution);
  return notServed ? { ok: false, error: notServed } : { ok: true, params: { symbol: normalised, resolution } };
}

function resolutionSpelling(payload: Readonly<Record<string, unknown>>): string | undefined {
  const { params } = payload;
  if (params !== undefined && !isRecord(params)) return undefined;
  const value = params?.['resolution'] ?? payload['resolution'] ?? DEFAULT_RESOLUTION;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return typeof value === 'string' && value.length <= 8 ? value : undefined;
}

function fail(code: ErrorCode, message: string): ParseResult<never> {
  return { ok: false, error: requestError(code, message) };
}
