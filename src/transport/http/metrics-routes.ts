import { Router, type RequestHandler } from 'express';
import type { MetricsSnapshot } from '../../streams/metrics.js';

export const METRICS_JSON_PATH = '/api/v1/broadcaster/metrics';
export const PROMETHEUS_PATH = '/metrics';

export interface MetricsRoutesOptions {
  readonly snapshot: () => MetricsSnapshot;
  /** The Prometheus exposition (prometheus.ts). */
  readonly prometheus: { readonly contentType: string; text(): Promise<string> };
  /** Runs before both routes: access control unless metrics are public. */
  readonly access?: RequestHandler;
}

/** The metrics, twice from one state: JSON for existing clients, the Prometheus text format for scrapers. */
export function metricsRoutes(options: MetricsRoutesOptions): Router {
  const router = Router();
  if (options.access) router.use([METRICS_JSON_PATH, PROMETHEUS_PATH], options.access);
  router.get(METRICS_JSON_PATH, (_request, response) => {
    response.json(options.snapshot());
  });
  router.get(PROMETHEUS_PATH, async (_request, response) => {
    const text = await options.prometheus.text();
    response.type(options.prometheus.contentType).send(text);
  });
  return router;
}
