import { expect } from 'vitest';

/** vitest's deep equality as the kit's injected assertion (barcast/testing never imports a runner). */
export const vitestEqual = (actual: unknown, expected: unknown): void => {
  expect(actual).toEqual(expected);
};
