import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '../../logger.js';

export interface HttpDependencies {
  /** Whether this instance should receive traffic (load balancers poll GET /ready). */
  readonly ready: () => boolean;
  readonly logger: Logger;
  /** Further routes (metrics, history, UDF, the chart page), mounted before the JSON 404. */
  readonly routers?: readonly Router[];
}

/** The HTTP API. JSON in, JSON out, including for unknown routes and failures. */
export function createHttpApp(dependencies: HttpDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  // Plain HTTP is served: upgrade-insecure-requests would send the chart page's own scripts
  // and socket to an https:// that does not exist. The rest of helmet's CSP stays.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

  app.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/ready', (_request, response) => {
    const ready = dependencies.ready();
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
  });

  for (const router of dependencies.routers ?? []) app.use(router);

  app.use((request, response) => {
    response.status(404).json({ status: 'error', code: 'NOT_FOUND', message: `No route for ${request.method} ${request.path}` });
  });

  const onError: ErrorRequestHandler = (error: unknown, _request, response, _next) => {
    const status = httpStatusOf(error);
    if (status >= 500) dependencies.logger.error({ err: error }, 'http request failed');
    response.status(status).json({
      status: 'error',
      code: status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST',
      message: status >= 500 ? 'Internal server error' : errorText(error),
    });
  };
  app.use(onError);
  return app;
}

function httpStatusOf(error: unknown): number {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'Bad request';
}
