import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread of the store's, from the file `name` beside this one: built (.js), started as
 * is; from source (.ts, under tsx or vitest), through tsx's loader registered in the worker
 * first, since a process started by vitest has no loader a worker would inherit.
 */
export function startStoreThread(name: 'sqlite-store-worker' | 'sqlite-checkpointer', workerData: unknown): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const file = new URL(`./${name}${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(file, { workerData });
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
