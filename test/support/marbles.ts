import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

/** A TestScheduler that asserts with vitest's deep equality. */
export function marbleScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}
