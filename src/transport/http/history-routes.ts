import { Router } from 'express';
import { sendJsonInSlices } from './json-in-slices.js';
import { parseHistoryQuery, type HistorySource } from './history-query.js';

export const HISTORY_PATH = '/api/v1/bars';

/**
 * `GET /api/v1/bars?symbol=&resolution=&from=&to=&countback=` (epoch ms): the closed bars of a
 * topic, oldest first, the same bars the live stream produced (or would have). The bar still
 * forming is not included: the live stream owns it (subscribe, then ask history for the bars
 * before the first update's `time`). Before the listing the answer is an empty list.
 */
export function historyRoutes(source: HistorySource): Router {
  const router = Router();
  router.get(HISTORY_PATH, async (request, response) => {
    const parsed = parseHistoryQuery(request.query, source, { unitMs: 1, defaultResolution: '1', forming: false });
    if (!parsed.ok) {
      const { status, code, message } = parsed.error;
      response.status(status).json({ status: 'error', code, message });
      return;
    }
    const { symbol, resolution, range, now } = parsed.request;
    const bars = await source.bars.bars(symbol, resolution, range, now);
    response.set('Access-Control-Allow-Origin', '*');
    await sendJsonInSlices(response, { symbol, resolution }, { bars }, () => source.bars.turn());
  });
  return router;
}
