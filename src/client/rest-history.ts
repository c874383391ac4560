import { firstValueFrom, type ObservableInput } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import { isRecord } from '../domain/json-record.js';
import { readToken, type TokenSource } from './bearer-token.js';
import { isBar } from './server-message.js';

/** Closed bars of a topic starting in [from, to), epoch ms: the REST API's `from`/`to`. */
export interface HistoryRequest {
  readonly symbol: string;
  readonly resolution: string;
  readonly from: number;
  readonly to: number;
}

export type HistoryLoader = (request: HistoryRequest) => ObservableInput<readonly Bar[]>;

export const HISTORY_PATH = '/api/v1/bars';

/** The HTTP origin of a barcast WebSocket URL: `ws://host:8000/api/v1/ws` -> `http://host:8000`. */
export function httpOriginOf(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.origin;
}

export interface HttpAccess {
  readonly fetch?: typeof fetch;
  /** Sent as `Authorization: Bearer`, for servers that guard HTTP with the same tokens as the socket. */
  readonly token?: TokenSource;
}

/** A GET with the bearer token, when there is one. */
export async function authorizedGet(url: URL, access: HttpAccess): Promise<Response> {
  const token = await firstValueFrom(readToken(access.token));
  return (access.fetch ?? globalThis.fetch)(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

/** `GET /api/v1/bars` on `origin`; a refusal (e.g. RANGE_TOO_LARGE) rejects with the server's message. */
export function restHistory(origin: string, access: HttpAccess = {}): HistoryLoader {
  return async ({ symbol, resolution, from, to }) => {
    const url = new URL(HISTORY_PATH, origin);
    url.search = new URLSearchParams({ symbol, resolution, from: String(from), to: String(to) }).toString();
    const response = await authorizedGet(url, access);
    const body: unknown = await response.json();
    if (!response.ok || !isRecord(body) || !Array.isArray(body['bars'])) {
      const message = isRecord(body) && typeof body['message'] === 'string' ? body['message'] : `HTTP ${response.status}`;
      throw new Error(`history request failed: ${message}`);
    }
    return body['bars'].filter(isBar);
  };
}
