/**
 * What the kit needs from a test runner, injected so it works under vitest, jest and
 * node:test alike. Each runner's own `describe` and `it` fit these shapes.
 */

/** Deep equality that throws on a difference: `(a, e) => expect(a).toEqual(e)` or `assert.deepStrictEqual`. */
export type DeepEqual = (actual: unknown, expected: unknown, message?: string) => void;

export interface TestRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => void | Promise<void>): unknown;
}
