import { Router } from 'express';
import { historyBars } from '../../domain/history.js';
import { parseHistoryQuery, type HistorySource } from './history-query.js';

export const HISTORY_PATH = '/api/v1/bars';

/**
 * `GET /api/v1/bars?symbol=&resolution=&from=&to=&countback=` (epoch ms): the closed bars of a
 * topic, oldest first, the same bars the live stream produced (or would have).
 */
export function historyRoutes(source: HistorySource): Router {
  const router = Router();
  router.get(HISTORY_PATH, (request, response) => {
    const parsed = parseHistoryQuery(request.query, source, 1, '1');
    if (!parsed.ok) {
      const { status, code, message } = parsed.error;
      response.status(status).json({ status: 'error', code, message });
      return;
    }
    const { symbol, resolution, range } = parsed.request;
    response.set('Access-Control-Allow-Origin', '*');
    response.json({ symbol, resolution, bars: historyBars({ seed: source.seed, symbol, resolution }, range) });
  });
  return router;
}
