import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestClient } from '../../src/testing/index.js';

export const PUBLISH_TOKEN = 'publisher-token-for-tests';

/** The config of an app with trade-fed ACME and BETA on a real SQLite file in `dataDir`. */
export function ingestConfig(dataDir: string, ingest: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ingest: { symbols: ['ACME', 'BETA'], publishTokens: [PUBLISH_TOKEN], latenessMs: 2_000, ...ingest },
    store: { dataDir },
    broadcaster: { resolutions: ['1', '5'] },
  };
}

/** A fresh folder for a test's SQLite file, and its removal. */
export function dataDirs(): { make(): string; removeAll(): void } {
  const made: string[] = [];
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'barcast-trades-'));
      made.push(dir);
      return dir;
    },
    removeAll: () => {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PublishResults {
  readonly status: string;
  readonly accepted?: number;
  readonly duplicates?: number;
  readonly refused?: number;
  readonly code?: string;
  readonly results?: readonly { readonly status: string; readonly code?: string }[];
}

/** `trades.publish` with `trades`, and its response's payload. */
export async function publishOverWs(client: TestClient, trades: readonly unknown[]): Promise<PublishResults> {
  const id = client.request('trades.publish', { trades });
  const response = await client.response(id);
  return response.payload as unknown as PublishResults;
}

/** The result codes of a publish: `accepted`, `duplicate` or the refusal's code. */
export function outcomes(results: PublishResults): string[] {
  return (results.results ?? []).map((result) => (result.status === 'refused' ? (result.code ?? '?') : result.status));
}
