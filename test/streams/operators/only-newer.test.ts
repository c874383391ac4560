import { describe, it } from 'vitest';
import { onlyNewer } from '../../../src/streams/operators/only-newer.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

describe('onlyNewer', () => {
  it('drops values that are not newer than the last one let through', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const values = { a: 3, b: 1, c: 3, d: 4, e: 2, f: 5 };
      expectObservable(cold('-a-b-c-d-e-f-|', values).pipe(onlyNewer((value: number) => value))).toBe('-a-----d---f-|', values);
    });
  });

  it('starts afresh for each subscription', () => {
    marbleScheduler(vitestEqual).run(({ cold, expectObservable }) => {
      const source = cold('-a-b-|', { a: 2, b: 1 }).pipe(onlyNewer((value: number) => value));
      expectObservable(source).toBe('-a---|', { a: 2 });
      expectObservable(source).toBe('-a---|', { a: 2 });
    });
  });
});
