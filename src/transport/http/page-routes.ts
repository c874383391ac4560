import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** public/ and api/ at the package root: the same relative path from src/ and from dist/. */
const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url));
const ASYNCAPI_FILE = fileURLToPath(new URL('../../../api/asyncapi.json', import.meta.url));
/** `barcast/client` bundled for browsers by `npm run build` (scripts/bundle-client.mjs). */
const CLIENT_DIR = fileURLToPath(new URL('../../../dist/browser/', import.meta.url));
/** lightweight-charts' own build, wherever npm put the package: no CDN, no bundler. */
const CHARTS_DIR = join(dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')), 'dist');

export const ASYNCAPI_PATH = '/api/v1/ws/asyncapi.json';
export const CHARTS_PATH = '/vendor/lightweight-charts';
export const CLIENT_PATH = '/vendor/barcast';

/** `GET /`: the live chart page, its script, the client and charting library, and the AsyncAPI document. */
export function pageRoutes(): Router {
  const router = Router();
  router.get(ASYNCAPI_PATH, (_request, response) => {
    response.set('Access-Control-Allow-Origin', '*');
    response.sendFile(ASYNCAPI_FILE);
  });
  router.use(CHARTS_PATH, express.static(CHARTS_DIR, { index: false }));
  router.use(CLIENT_PATH, express.static(CLIENT_DIR, { index: false }));
  router.use(express.static(PUBLIC_DIR));
  return router;
}
