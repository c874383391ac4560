import express, { type ErrorRequestHandler, type Express, type Response, type Router } from 'express';
import helmet from 'helmet';
import { httpStatusOf, requestError, type ErrorCode } from '../../domain/errors.js';
import type { Logger } from '../../logger.js';
import type { Readiness } from '../../streams/bar-source.js';

export interface HttpDependencies {
  /** Whether this instance should receive traffic (load balancers poll GET /ready). */
  readonly ready: () => Readiness;
  readonly logger: Logger;
  /** Further routes (metrics, history, UDF, the chart page), mounted before the JSON 404. */
  readonly routers?: readonly Router[];
  /**
   * The WebSocket's own port when it is not this server's (the uWS engine), once known: the
   * page's Content-Security-Policy must allow a socket to it (`'self'` covers this port only).
   */
  readonly webSocketPort?: () => number | undefined;
}

/** The HTTP API. JSON in, JSON out, including for unknown routes and failures. */
export function createHttpApp(dependencies: HttpDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  // Plain HTTP is served: upgrade-insecure-requests would send the chart page's own scripts
  // and socket to an https:// that does not exist. The rest of helmet's CSP stays.
  const { webSocketPort } = dependencies;
  const directives: Record<string, null | (string | (() => string))[]> = { upgradeInsecureRequests: null };
  if (webSocketPort) {
    directives['connectSrc'] = ["'self'", () => (webSocketPort() === undefined ? "'self'" : `ws://*:${webSocketPort()} wss://*:${webSocketPort()}`)];
  }
  app.use(helmet({ contentSecurityPolicy: { directives } }));

  app.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/ready', (_request, response) => {
    const readiness = dependencies.ready();
    if (readiness.ready) response.json(readiness.stale?.length ? { status: 'ready', stale: readiness.stale } : { status: 'ready' });
    else response.status(503).json({ status: 'not_ready', reason: readiness.reason });
  });

  for (const router of dependencies.routers ?? []) app.use(router);

  app.use((request, response) => {
    sendError(response, 'NOT_FOUND', `No route for ${request.method} ${request.path}`);
  });

  const onError: ErrorRequestHandler = (error: unknown, _request, response, _next) => {
    const status = statusOfThrown(error);
    if (status >= 500) dependencies.logger.error({ err: error }, 'http request failed');
    if (status >= 500) sendError(response, 'INTERNAL_ERROR');
    else response.status(status).json({ status: 'error', code: 'BAD_REQUEST', message: errorText(error) });
  };
  app.use(onError);
  return app;
}

function statusOfThrown(error: unknown): number {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'Bad request';
}

/** An error of the table, answered with its HTTP status: `{ status: 'error', code, message }`. */
export function sendError(response: Response, code: ErrorCode, message?: string): void {
  const error = requestError(code, message);
  response.status(httpStatusOf(code)).json({ status: 'error', code: error.code, message: error.message });
}
