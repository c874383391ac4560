import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url));
const IMPORT = /(?:import|export)\s[^'"]*?from\s+'([^']+)'/g;

/** Every module the client entry reaches, by following relative imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const specifiers = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => match[1] as string);
    seen.set(file, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

describe('barcast/client', () => {
  it('imports nothing but RxJS and its own pure modules, so it runs in a browser', () => {
    const modules = reachable(ENTRY);
    const external = [...modules.values()].flat().filter((specifier) => !specifier.startsWith('.'));
    expect(new Set(external)).toEqual(new Set(['rxjs', 'rxjs/webSocket']));
    expect(modules.size).toBeGreaterThan(5);
  });
});
