import { requestError, type RequestError } from '../domain/errors.js';
import type { Resolution } from '../domain/resolution.js';
import { barsTopicKey } from '../domain/topic.js';

/** What may be streamed: the configured symbols times the configured resolutions. */
export interface Catalog {
  readonly symbols: readonly string[];
  readonly resolutions: readonly Resolution[];
}

export function checkSymbol(catalog: Pick<Catalog, 'symbols'>, symbol: string): RequestError | undefined {
  if (catalog.symbols.includes(symbol)) return undefined;
  return requestError('UNKNOWN_SYMBOL', `Unknown symbol ${symbol}; available: ${catalog.symbols.join(', ')}`);
}

export function checkCatalog(catalog: Catalog, symbol: string, resolution: Resolution): RequestError | undefined {
  const unknownSymbol = checkSymbol(catalog, symbol);
  if (unknownSymbol) return unknownSymbol;
  if (!catalog.resolutions.includes(resolution)) {
    return requestError(
      'UNSUPPORTED_RESOLUTION',
      `Resolution ${resolution} is not served; available: ${catalog.resolutions.join(', ')}`,
    );
  }
  return undefined;
}

export function catalogTopicKeys(catalog: Catalog): string[] {
  return catalog.symbols.flatMap((symbol) => catalog.resolutions.map((resolution) => barsTopicKey(symbol, resolution)));
}
