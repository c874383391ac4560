/**
 * A commit whose ingest offset was moved by someone else since the caller read it: two
 * processes both believed they led a symbol's trade stream (a lease lapsed under a pause), and
 * this one lost. Nothing of its transaction was written; it must stop ingesting the symbol.
 * Not a store failure: the store stays writable.
 */
export class IngestOffsetConflict extends Error {
  override readonly name = 'IngestOffsetConflict';

  constructor(readonly symbol: string) {
    super(`the ingest offset of ${symbol} moved under this process: another one commits its trades`);
  }
}
