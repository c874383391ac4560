import { requestError, type RequestError } from '../domain/errors.js';
import { parseTrade, type ParsedTrade } from '../domain/trade-parse.js';

/**
 * The CSV of `barcast import`: a header naming the columns symbol, price, size, time and
 * optionally id, in any order (other columns are ignored), then one trade a line. time is
 * epoch milliseconds or an ISO 8601 date-time with a zone (2026-01-05T14:30:00.250Z).
 * Fields may be quoted ("..." with "" for a quote); a line break inside a field is not supported.
 */
export const TRADE_CSV_COLUMNS = ['symbol', 'price', 'size', 'time', 'id'] as const;
const REQUIRED = ['symbol', 'price', 'size', 'time'] as const;

export type TradeColumns = Readonly<Record<(typeof TRADE_CSV_COLUMNS)[number], number | undefined>>;

export type ParsedHeader = { readonly ok: true; readonly columns: TradeColumns } | { readonly ok: false; readonly reason: string };

export function parseTradeCsvHeader(line: string): ParsedHeader {
  const names = splitCsvLine(line.replace(/^\uFEFF/, ''))?.map((name) => name.trim().toLowerCase());
  if (!names) return { ok: false, reason: 'the header is not valid CSV' };
  const index = (name: string) => (names.indexOf(name) >= 0 ? names.indexOf(name) : undefined);
  const missing = REQUIRED.filter((name) => index(name) === undefined);
  if (missing.length > 0) {
    return { ok: false, reason: `the header must name the columns symbol,price,size,time[,id]; missing: ${missing.join(', ')} (got: ${names.join(',')})` };
  }
  return { ok: true, columns: Object.fromEntries(TRADE_CSV_COLUMNS.map((name) => [name, index(name)])) as TradeColumns };
}

/** One data line into a trade, or the reason it is refused, with the publish API's error codes (parseTrade). */
export function parseTradeCsvLine(line: string, columns: TradeColumns): ParsedTrade {
  const fields = splitCsvLine(line);
  if (!fields) return refuse(requestError('INVALID_TRADE', 'the line is not valid CSV (an unclosed quote?)'));
  const field = (name: keyof TradeColumns) => {
    const at = columns[name];
    return at === undefined ? undefined : fields[at]?.trim();
  };
  const price = numberOf(field('price'));
  const size = numberOf(field('size'));
  const time = timeOf(field('time'));
  if (price === undefined) return refuse(requestError('INVALID_PRICE', `price ${JSON.stringify(field('price') ?? '')} is not a number`));
  if (size === undefined) return refuse(requestError('INVALID_TRADE', `size ${JSON.stringify(field('size') ?? '')} is not a number`));
  if (time === undefined) return refuse(requestError('INVALID_TRADE', `time ${JSON.stringify(field('time') ?? '')} is neither epoch milliseconds nor an ISO 8601 date-time with a zone`));
  const id = field('id');
  return parseTrade({ symbol: field('symbol') ?? '', price, size, time, ...(id ? { id } : {}) });
}

function refuse(error: RequestError): ParsedTrade {
  return { ok: false, error };
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function numberOf(text: string | undefined): number | undefined {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : undefined;
}

/** Epoch milliseconds as digits, or an ISO date-time with an explicit zone (a local time would depend on this machine). */
function timeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (!ISO_WITH_ZONE.test(text)) return undefined;
  const time = Date.parse(text.replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : time;
}

/** RFC 4180 fields of one line; undefined when a quote is left open. */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}
