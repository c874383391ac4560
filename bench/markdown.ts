import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMarkdown, type BenchResults } from './report.js';

/** `npm run bench:markdown [-- NAME]`: bench/results/NAME.json (default latest) as Markdown tables. */
const name = process.argv[2] ?? 'latest';
const results = JSON.parse(readFileSync(fileURLToPath(new URL(`./results/${name}.json`, import.meta.url)), 'utf8')) as BenchResults;
process.stdout.write(`${renderMarkdown(results)}\n`);
