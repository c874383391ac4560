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
/** Where the page learns which port its WebSocket is on. */
export const WS_ENDPOINT_PATH = '/api/v1/ws/endpoint';

export interface PageOptions {
  /** The HTTP server's port, and the WebSocket's when it has its own (the uWS engine), once listening. */
  readonly ports?: () => { readonly http: number; readonly webSocket: number } | undefined;
}

/** `GET /`: the live chart page, its script, the client and charting library, and the AsyncAPI document. */
export function pageRoutes(options: PageOptions = {}): Router {
  const router = Router();
  // `{"port": N}`: connect to port N of the page's host; `{"port": null}`: the page's own origin.
  // A request that reached this port directly is told the uWS port; one through a proxy (its
  // Host names another port) keeps the origin, which the proxy routes to the WebSocket.
  router.get(WS_ENDPOINT_PATH, (request, response) => {
    const ports = options.ports?.();
    const direct = ports !== undefined && ports.webSocket !== ports.http && request.get('host')?.endsWith(`:${ports.http}`) === true;
    response.json({ port: direct ? ports.webSocket : null });
  });
  router.get(ASYNCAPI_PATH, (_request, response) => {
    response.set('Access-Control-Allow-Origin', '*');
    response.sendFile(ASYNCAPI_FILE);
  });
  router.use(CHARTS_PATH, express.static(CHARTS_DIR, { index: false }));
  router.use(CLIENT_PATH, express.static(CLIENT_DIR, { index: false }));
  router.use(express.static(PUBLIC_DIR));
  return router;
}
