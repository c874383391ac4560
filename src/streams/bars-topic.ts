import type { Observable } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import { closedBefore, historicalBar } from '../domain/bar-path.js';
import { requestError } from '../domain/errors.js';
import { isRecord } from '../domain/json-record.js';
import { parseResolution, periodIndex, type Resolution } from '../domain/resolution.js';
import { isValidSymbol, MAX_SYMBOL_LENGTH } from '../domain/symbol.js';
import { BARS_KIND, barsTopicKey } from '../domain/topic.js';
import { barStream, type BarGenerator } from './bar-stream.js';
import { checkCatalog, type Catalog } from './catalog.js';
import { resample } from './operators/resample.js';
import { topicRef, type ParseResult, type TopicKind, type TopicRef } from './topic-kind.js';

export interface BarsParams {
  readonly symbol: string;
  readonly resolution: Resolution;
}

export interface BarsTopicOptions {
  readonly catalog: Catalog;
  readonly seed: number;
  readonly periodMs: number;
  readonly generate?: BarGenerator;
  /** A topic's tick source (a shared clock of the tick grid); by default its own interval. */
  readonly ticks?: (params: BarsParams) => Observable<unknown>;
}

export const DEFAULT_RESOLUTION = '1';

/** The registered `bars` kind, by name: `context.stream(BARS_TOPIC, params)` in a factory. */
export const BARS_TOPIC: TopicRef<BarsParams, Bar> = topicRef(BARS_KIND);

/**
 * The resolution each symbol's generator runs at. Every other resolution is derived from it
 * with `resample`, so all resolutions (and quotes) of a symbol share one generator and agree.
 */
export const BASE_RESOLUTION: Resolution = '1';

/**
 * The built-in `bars` topic kind: `bars:SYMBOL:RESOLUTION`, live bars of the mock market.
 * `bars:SYMBOL:1` runs the generator; any coarser resolution is `resample`d from it, through
 * the hub like any other subscriber, whether or not `1` itself is offered to clients.
 */
export function barsTopicKind(options: BarsTopicOptions): TopicKind<BarsParams, Bar> {
  return {
    name: BARS_KIND,
    parse: (payload) => parseBarsPayload(payload, options.catalog),
    key: ({ symbol, resolution }) => barsTopicKey(symbol, resolution),
    describe: ({ symbol, resolution }) => ({ symbol, resolution }),
    create: ({ symbol, resolution }, context) => {
      if (resolution !== BASE_RESOLUTION) {
        // Started mid-period, the coarse bar takes what it already held from history, so it
        // continues the last closed bar.
        const history = seriesHistory(options);
        const closed = history && ((subBar: Bar) => history.closedBefore(symbol, resolution, subBar.time));
        return context.stream(BARS_TOPIC, { symbol, resolution: BASE_RESOLUTION }).pipe(resample(resolution, closed));
      }
      return barStream({
        symbol,
        resolution,
        seed: options.seed,
        periodMs: options.periodMs,
        scheduler: context.scheduler,
        ...(options.generate ? { generate: options.generate } : {}),
        ...(options.ticks ? { ticks$: options.ticks({ symbol, resolution }) } : {}),
        onGeneratorError: (error) => context.reportError(error),
      });
    },
  };
}

/** The closed bars behind a live topic, from the deterministic series history serves. */
export interface SeriesHistory {
  /** What the bar of `resolution` containing `time` held when the minute of `time` began. */
  closedBefore(symbol: string, resolution: Resolution, time: number): Bar | undefined;
  /** The closed bar of the period of `resolution` before the one containing `time`. */
  barBefore(symbol: string, resolution: Resolution, time: number): Bar;
}

/**
 * The history of the mock series of `seed`; none when a test swapped the generator, whose
 * series is not the one history computes.
 */
export function seriesHistory(options: { readonly seed: number; readonly generate?: BarGenerator | undefined }): SeriesHistory | undefined {
  if (options.generate) return undefined;
  const { seed } = options;
  return {
    closedBefore: (symbol, resolution, time) => closedBefore({ seed, symbol, resolution }, time),
    barBefore: (symbol, resolution, time) => historicalBar({ seed, symbol, resolution }, periodIndex(resolution, time) - 1),
  };
}

/**
 * Accepts `{ symbol, params: { resolution } }` and, for older clients, the flat
 * `{ symbol, resolution }`. Resolution defaults to `1`. Other fields are ignored.
 */
export function parseBarsPayload(payload: unknown, catalog: Catalog): ParseResult<BarsParams> {
  if (!isRecord(payload)) {
    return fail('INVALID_PAYLOAD', 'payload must be an object like {"symbol":"AAPL","params":{"resolution":"1"}}');
  }
  const { symbol } = payload;
  if (typeof symbol !== 'string') return fail('INVALID_PAYLOAD', 'payload.symbol must be a string');
  if (symbol.length > MAX_SYMBOL_LENGTH || !isValidSymbol(symbol)) {
    return fail(
      'INVALID_SYMBOL',
      `payload.symbol must be 1-${MAX_SYMBOL_LENGTH} characters of A-Z, 0-9, ".", "_" or "-"`,
    );
  }
  const spelling = resolutionSpelling(payload);
  if (spelling === undefined) {
    return fail('INVALID_PAYLOAD', 'payload.params.resolution (or payload.resolution) must be a string');
  }
  const resolution = parseResolution(spelling);
  if (!resolution) {
    return fail('INVALID_RESOLUTION', 'resolution must be one of 1, 5, 15, 30, 60, 240, D/1D, W/1W, M/1M');
  }
  const notServed = checkCatalog(catalog, symbol, resolution);
  return notServed ? { ok: false, error: notServed } : { ok: true, params: { symbol, resolution } };
}

function resolutionSpelling(payload: Readonly<Record<string, unknown>>): string | undefined {
  const { params } = payload;
  if (params !== undefined && !isRecord(params)) return undefined;
  const value = params?.['resolution'] ?? payload['resolution'] ?? DEFAULT_RESOLUTION;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return typeof value === 'string' && value.length <= 8 ? value : undefined;
}

function fail(code: Parameters<typeof requestError>[0], message: string): ParseResult<never> {
  return { ok: false, error: requestError(code, message) };
}
