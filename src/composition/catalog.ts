import type { Config } from '../config/schema.js';
import type { Catalog } from '../streams/catalog.js';

/** What clients may ask for: the configured symbols (the mock's and the trade-fed ones) and resolutions. */
export function configuredCatalog({ broadcaster, ingest }: Config): Catalog {
  return { symbols: [...new Set([...broadcaster.symbols, ...ingest.symbols])], resolutions: broadcaster.resolutions };
}

/** The symbols of the mock series: what quotes are served for (their previous close is the series'). */
export function mockCatalog(catalog: Catalog, { ingest }: Config): Catalog {
  return { symbols: catalog.symbols.filter((symbol) => !ingest.symbols.includes(symbol)), resolutions: catalog.resolutions };
}
