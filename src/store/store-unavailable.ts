import type { StoreHealth } from './trade-store.js';

/**
 * A write the store could not make (disk full, read-only file, PostgreSQL down): nothing of
 * the call was written. The ingest answers it as STORE_UNAVAILABLE (503); `reason` is what
 * health() reports until a write succeeds again.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly reason: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`the trade store cannot take writes: ${reason}`, options);
  }
}

/** Tracks the outcome of the last write: what health() answers. */
export class WriteHealth {
  private state: StoreHealth = { writable: true };

  current(): StoreHealth {
    return this.state;
  }

  succeeded(): void {
    if (!this.state.writable) this.state = { writable: true };
  }

  failed(reason: string): void {
    this.state = { writable: false, reason };
  }
}
