import express, { Router, type Request } from 'express';
import { requestError } from '../../domain/errors.js';
import { resultCounts } from '../../domain/trade-result.js';
import { checkAccess, type AccessPolicy } from '../auth/access-check.js';
import { publishScopeOf } from '../auth/credential.js';
import { MAX_PUBLISH_TRADES, type TradeIngest } from '../ws/trades-publish.js';
import { sendError } from './http-app.js';

export const TRADES_PATH = '/api/v1/trades';

/** Largest publish body: MAX_PUBLISH_TRADES trades of about 100 bytes each, with room. */
const MAX_BODY = '2mb';
const NDJSON = 'application/x-ndjson';

/**
 * `POST /api/v1/trades`: a JSON array of trades, or NDJSON (one trade per line, Content-Type
 * application/x-ndjson), answered once the admitted ones are durable with every trade's
 * result in order (200): `{status:'ok', accepted, duplicates, refused, results:[...]}`. A line
 * of NDJSON that is not JSON is that trade's INVALID_TRADE, not the request's failure.
 * Refused as a whole: no valid token (401) or no publish right (403 PUBLISH_FORBIDDEN), a body
 * that is not a batch (400), more than INGEST_MAX_PENDING trades waiting (429 INGEST_OVERLOADED
 * with Retry-After), a batch no trade of which could be stored (503 STORE_UNAVAILABLE).
 */
export function tradesRoutes(ingest: TradeIngest, access: AccessPolicy): Router {
  const router = Router();
  router.post(TRADES_PATH, express.text({ type: ['application/json', NDJSON], limit: MAX_BODY }), async (request, response) => {
    const verdict = await checkAccess(request, access, { requireOrigin: false });
    if (!verdict.ok) {
      if (verdict.code === 'UNAUTHORIZED') response.set('WWW-Authenticate', 'Bearer');
      sendError(response, verdict.code, verdict.code === 'UNAUTHORIZED' ? 'a valid token is required' : 'this Origin is not allowed');
      return;
    }
    const scope = publishScopeOf(verdict.credential);
    if (scope === undefined) {
      sendError(response, 'PUBLISH_FORBIDDEN', 'this token may not publish trades: use a publisher token (PUBLISH_TOKENS) or a JWT with the publish scope');
      return;
    }
    const items = tradesOf(request);
    if (!Array.isArray(items)) {
      sendError(response, items.code, items.message);
      return;
    }
    if (ingest.pending + items.length > ingest.maxPending) {
      response.set('Retry-After', '1');
      sendError(response, 'INGEST_OVERLOADED');
      return;
    }
    const results = await ingest.publish(items, scope);
    const counts = resultCounts(results);
    // Nothing stored and the store (or, on a gateway, the lead generator) could not take it: the batch is answered 503 with that code.
    const unavailable = counts.accepted + counts.duplicates === 0 ? results.find((result) => result.status === 'refused' && UNAVAILABLE.has(result.code)) : undefined;
    const code = unavailable?.status === 'refused' ? unavailable.code : undefined;
    response.status(code ? 503 : 200).json({ status: code ? 'error' : 'ok', ...(code ? { code } : {}), ...counts, results });
  });
  return router;
}

const UNAVAILABLE: ReadonlySet<string> = new Set(['STORE_UNAVAILABLE', 'INGEST_UNAVAILABLE']);

/** The trades of the body, or why it is not a batch. */
function tradesOf(request: Request): unknown[] | ReturnType<typeof requestError> {
  if (typeof request.body !== 'string') return requestError('INVALID_PAYLOAD', `send a JSON array of trades (Content-Type application/json) or NDJSON (${NDJSON})`);
  let items: unknown;
  if (request.is(NDJSON)) {
    items = request.body
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      });
  } else {
    try {
      items = JSON.parse(request.body);
    } catch {
      return requestError('INVALID_JSON', 'the body is not valid JSON');
    }
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_PUBLISH_TRADES) {
    return requestError('INVALID_PAYLOAD', `the body must hold 1-${MAX_PUBLISH_TRADES} trades: a JSON array, or one per line as NDJSON`);
  }
  return items;
}
