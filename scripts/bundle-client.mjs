// Bundles `barcast/client` (src/client/index.ts with RxJS) into one ES module for the chart
// page: dist/browser/barcast-client.js, served at /vendor/barcast/. RxJS's own ES build uses
// extensionless imports a browser cannot resolve, and an import map would be an inline
// script that the page's Content-Security-Policy (script-src 'self') refuses, so we bundle.
import { fileURLToPath, URL } from 'node:url';
import { build } from 'esbuild';

export const CLIENT_ENTRY = fileURLToPath(new URL('../src/client/index.ts', import.meta.url));
export const CLIENT_BUNDLE = fileURLToPath(new URL('../dist/browser/barcast-client.js', import.meta.url));

export async function bundleClient() {
  await build({
    entryPoints: [CLIENT_ENTRY],
    outfile: CLIENT_BUNDLE,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  return CLIENT_BUNDLE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleClient();
