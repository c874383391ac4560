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
      // main.ts is the process entry (signals, exit codes); it is exercised by the
      // lifecycle e2e test in a child process, which v8 coverage of this process cannot see.
      exclude: ['src/main.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90, statements: 90, functions: 90, branches: 90 },
    },
  },
});
