import { Router } from 'express';
import type { Request } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit } from 'express-rate-limit';
import { HISTORY_PATH } from './history-routes.js';
import { UDF_PATH } from './udf-routes.js';

export interface HistoryRateLimitOptions {
  /** Requests one client may make per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** The client a request counts against: its address after TRUSTED_PROXIES (client-address.ts), not express's `req.ip`. */
  readonly clientAddress: (request: Request) => string;
}

export interface HistoryRateLimit {
  /** Mount before the history and UDF routes; it only looks at their paths. */
  readonly router: Router;
  /** Stops the store's reset timer. */
  close(): void;
}

/**
 * A per-client limit on the history and UDF endpoints (express-rate-limit, fixed window per
 * client address, IPv6 per /56; behind TRUSTED_PROXIES the forwarded one): past `limit` requests in a window the answer is 429 with
 * `Retry-After` (seconds) and the endpoint's error shape (UDF's `s`/`errmsg`, or the REST
 * `code`). Access control (tokens, Origin) is separate middleware on the same paths; both
 * compose in either order.
 */
export function historyRateLimit(options: HistoryRateLimitOptions): HistoryRateLimit {
  const store = new MemoryStore();
  const limiter = rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    store,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The address comes from barcast's own resolver, so X-Forwarded-For is believed from trusted proxies only (and IPv6 counts per /56).
    keyGenerator: (request) => ipKeyGenerator(options.clientAddress(request)),
    validate: { xForwardedForHeader: false },
    handler: (request, response, _next, limitOptions) => {
      const message = `too many history requests: at most ${options.limit} per ${options.windowMs / 1000} s per client; retry after the Retry-After seconds`;
      response.status(limitOptions.statusCode);
      // Charts on other origins must be able to read the refusal and its Retry-After.
      response.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Retry-After' });
      if (request.originalUrl.startsWith(UDF_PATH)) response.json({ s: 'error', errmsg: message });
      else response.json({ status: 'error', code: 'RATE_LIMITED', message });
    },
  });
  const router = Router();
  router.use([HISTORY_PATH, UDF_PATH], limiter);
  return { router, close: () => store.shutdown() };
}
