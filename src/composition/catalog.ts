import type { Config } from '../config/schema.js';
import type { Catalog } from '../streams/catalog.js';

/** What clients may ask for: the configured symbols (the mock's and the trade-fed ones) and resolutions. */
export function configuredCatalog({ broadcaster, ingest }: Config): Catalog {
  return { symbols: [...new Set([...broadcaster.symbols, ...ingest.symbols])], resolutions: broadcaster.resolutions };
}
