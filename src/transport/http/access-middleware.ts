import type { RequestHandler } from 'express';
import { checkAccess, isAllowedOrigin, type AccessPolicy } from '../auth/access-check.js';
import { sendError } from './http-app.js';

/**
 * The WebSocket's access control for HTTP routes (history, UDF, metrics): the same check
 * (checkAccess), so a token that opens a socket also fetches history, and one refused there
 * is refused here. 401 (`UNAUTHORIZED`) carries `WWW-Authenticate: Bearer` (RFC 6750); 403
 * (`FORBIDDEN_ORIGIN`) is an Origin off the allow-list. Separate from any rate limiting, so
 * the two compose in either order.
 */
export function requireAccess(policy: AccessPolicy): RequestHandler {
  return (request, response, next) => {
    // A CORS preflight carries no credentials by design (the request it announces is checked):
    // it is told that a cross-origin GET may send its token in Authorization.
    if (request.method === 'OPTIONS') {
      const { origin } = request.headers;
      if (origin === undefined || (policy.allowedOrigins.length > 0 && !isAllowedOrigin(origin, policy.allowedOrigins))) {
        next();
        return;
      }
      response
        .set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': 'Authorization', Vary: 'Origin' })
        .status(204)
        .end();
      return;
    }
    checkAccess(request, policy, { requireOrigin: false }).then((verdict) => {
      if (verdict.ok) {
        next();
      } else if (verdict.code === 'UNAUTHORIZED') {
        response.set('WWW-Authenticate', 'Bearer');
        sendError(response, 'UNAUTHORIZED', 'a valid token is required');
      } else {
        sendError(response, 'FORBIDDEN_ORIGIN', 'this Origin is not allowed');
      }
    }, next);
  };
}
