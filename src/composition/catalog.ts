import type { Config } from '../config/schema.js';
import type { Catalog } from '../streams/catalog.js';

/** What clients may ask for: the configured symbols and resolutions. */
export function configuredCatalog({ broadcaster }: Config): Catalog {
  return { symbols: broadcaster.symbols, resolutions: broadcaster.resolutions };
}
