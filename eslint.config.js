// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of docs/architecture.md, enforced: each folder may import only what is beneath it.
 * Each rule names the folders of ours (and the packages) a layer must not reach.
 */
const ours = (folder) => ({ regex: `(^|/)${folder}/`, message: `this layer must not import from src/${folder} (docs/architecture.md, Layers)` });
const ourFile = (file) => ({ regex: `(^|/)${file}\\.js$`, message: `this layer must not import ${file}.ts (docs/architecture.md, Layers)` });
const pkg = (name, why) => ({ regex: name.endsWith(':') ? `^${name}` : `^${name}($|/)`, message: why });
const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const NO_IO = 'the domain is pure: no RxJS, no sockets, no I/O';

const layers = [
  layer(['src/domain/**/*.ts'], [
    ...['streams', 'transport', 'engines', 'store', 'ingest', 'config', 'client', 'testing', 'composition'].map(ours),
    ourFile('app'),
    ourFile('logger'),
    ...['rxjs', 'ws', 'express', 'ioredis', 'node:'].map((name) => pkg(name, NO_IO)),
  ]),
  layer(['src/streams/**/*.ts'], [
    ...['transport', 'engines', 'ingest', 'config', 'client', 'testing', 'composition'].map(ours),
    ourFile('app'),
    ...['ws', 'express', 'ioredis'].map((name) => pkg(name, 'streams are transport- and engine-free')),
  ]),
  layer(['src/transport/**/*.ts'], [...['engines', 'ingest', 'store', 'config', 'client', 'testing', 'composition'].map(ours), ourFile('app'), pkg('ioredis', 'transport knows no engine')]),
  layer(['src/engines/**/*.ts'], [
    ...['transport', 'ingest', 'config', 'client', 'testing', 'composition'].map(ours),
    ourFile('app'),
    ...['ws', 'express'].map((name) => pkg(name, 'an engine never imports transport')),
  ]),
  layer(['src/client/**/*.ts'], [
    ...['streams', 'transport', 'engines', 'store', 'config', 'testing', 'composition'].map(ours),
    ourFile('app'),
    ourFile('logger'),
    ...['ws', 'express', 'ioredis', 'node:'].map((name) => pkg(name, 'the client runs in browsers: domain and RxJS only')),
  ]),
  layer(['src/config/**/*.ts'], [...['streams', 'transport', 'engines', 'store', 'client', 'testing', 'composition'].map(ours), ourFile('app')]),
  // The trade store: the domain's types and its database drivers (libsql, pg, node:), nothing else.
  layer(['src/store/**/*.ts'], [
    ...['streams', 'transport', 'engines', 'config', 'client', 'testing', 'composition'].map(ours),
    ourFile('app'),
    ourFile('logger'),
    ...['rxjs', 'ws', 'express', 'ioredis'].map((name) => pkg(name, 'the store holds data: domain types and its database drivers only')),
  ]),
  // The ingest: published trades in, through the store, to the aggregator; it knows no transport, engine or config.
  layer(['src/ingest/**/*.ts'], [
    ...['transport', 'engines', 'config', 'client', 'testing', 'composition'].map(ours),
    ourFile('app'),
    ...['ws', 'express', 'ioredis', 'libsql', 'pg'].map((name) => pkg(name, 'the ingest reaches the store through the TradeStore seam, and no transport')),
  ]),
  // barcast import: reads a file into the store; it knows nothing of serving.
  layer(['src/import/**/*.ts'], [
    ...['streams', 'transport', 'engines', 'ingest', 'config', 'client', 'testing', 'composition'].map(ours),
    ourFile('app'),
    ...['rxjs', 'ws', 'express', 'ioredis'].map((name) => pkg(name, 'the import reads a file into the store: domain, store and node only')),
  ]),
  // The composition root's steps: everything beneath, wired; never the root itself, the client or barcast/testing.
  layer(['src/composition/**/*.ts'], [...['client', 'testing'].map(ours), ourFile('app'), ourFile('main')]),
  // barcast/testing may use everything of ours, but no test runner: the runner is injected.
  layer(['src/testing/**/*.ts'], ['vitest', '@vitest', 'jest', '@jest', 'mocha', 'node:test'].map((name) => pkg(name, 'barcast/testing is runner-neutral: take describe/it/assert as arguments'))),
];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'test-artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The chart page's script runs in browsers, untranspiled.
    files: ['public/**/*.js'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', location: 'readonly', fetch: 'readonly', WebSocket: 'readonly', URLSearchParams: 'readonly', encodeURIComponent: 'readonly', setTimeout: 'readonly', setInterval: 'readonly' },
    },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // Scripts the docs show and tests run as a user would (node docs/examples/x.mjs): printing is their output.
    files: ['docs/examples/**/*.mjs'],
    languageOptions: { globals: { fetch: 'readonly', setTimeout: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
  ...layers,
);
