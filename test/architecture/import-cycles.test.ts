import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every `.ts` file under `folder` (declaration files declare modules, they import nothing of ours). */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file));
}

/**
 * The import graph of our files: each file to the files of ours it imports. Type-only imports,
 * re-exports and dynamic imports count too: a circle of types is still a circle a reader walks.
 */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = importedFiles
        .map(({ fileName }) => fileName)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
        .filter((target) => known.has(target));
      return [file, [...new Set(targets)]];
    }),
  );
}

/** The cycles of `graph`, each as the path that closes it (`a -> b -> a`), one per back edge found. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): void => {
    const open = path.indexOf(node);
    if (open >= 0) {
      cycles.push([...path.slice(open), node]);
      return;
    }
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return cycles;
}

describe('the import graph of src/', () => {
  it('finds a cycle, including one closed by a type-only import', () => {
    const graph = new Map([
      ['mock-bar', ['bar-path']],
      ['bar-path', ['bar-tree']],
      ['bar-tree', ['day-bar', 'rng']],
      ['day-bar', ['mock-bar']],
      ['rng', []],
    ]);
    expect(importCycles(graph)).toEqual([['mock-bar', 'bar-path', 'bar-tree', 'day-bar', 'mock-bar']]);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('reads type-only imports, re-exports and relative .js specifiers', () => {
    const { importedFiles } = ts.preProcessFile("import type { A } from './a.js';\nexport { b } from '../b.js';\nconst c = await import('./c.js');\n", true, true);
    expect(importedFiles.map(({ fileName }) => fileName)).toEqual(['./a.js', '../b.js', './c.js']);
  });

  it('has no cycle: dependencies run one way', () => {
    const graph = importGraph(sourceFiles(SRC));
    expect(graph.size).toBeGreaterThan(100);
    const cycles = importCycles(graph).map((cycle) => cycle.map((file) => relative(SRC, file)).join(' -> '));
    expect(cycles).toEqual([]);
  });
});
