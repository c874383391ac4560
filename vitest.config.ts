import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // docs/examples import the package by name, as a developer would; tests run it from source.
  resolve: {
    alias: [
      { find: /^barcast\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^barcast$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    // docs/examples/*.test.ts are the tests docs/extending.md quotes: they run like ours.
    include: ['test/**/*.test.ts', 'docs/examples/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // main.ts and cli.ts are process entries (signals, exit codes); they are exercised by
      // e2e tests in child processes (process.test.ts, import-cli.test.ts), which v8 coverage
      // of this process cannot see. sqlite-store-worker.ts runs on a worker thread of its own
      // (every test of the worker store runs it), which it cannot see either.
      exclude: ['src/main.ts', 'src/cli.ts', 'src/store/sqlite-store-worker.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90, statements: 90, functions: 90, branches: 90 },
    },
  },
});
