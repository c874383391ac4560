import { describe, it } from 'vitest';
import { TickGrid } from '../../src/streams/tick-grid.js';
import { marbleScheduler } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

describe('TickGrid', () => {
  it('ticks on its phase of the grid, then every period', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const grid = new TickGrid(10, scheduler);
      expectObservable(grid.ticks(3), '^ 29ms !').toBe('3ms a 9ms b 9ms c', { a: 0, b: 1, c: 2 });
    });
  });

  it('gives a late first subscriber the next grid tick, not one a period after it joined', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const grid = new TickGrid(10, scheduler);
      expectObservable(grid.ticks(3), '5ms ^ 19ms !').toBe('13ms a 9ms b', { a: 0, b: 1 });
    });
  });

  it('drives every subscriber of a phase from one shared timer', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const grid = new TickGrid(10, scheduler);
      expectObservable(grid.ticks(3), '^ 29ms !').toBe('3ms a 9ms b 9ms c', { a: 0, b: 1, c: 2 });
      // A separate timer would start its count at 0; the shared one is already at 2.
      expectObservable(grid.ticks(3), '15ms ^ 14ms !').toBe('23ms c', { c: 2 });
    });
  });

  it('stops the timer when the last subscriber leaves and starts afresh on the grid', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const grid = new TickGrid(10, scheduler);
      expectObservable(grid.ticks(3), '^ 14ms !').toBe('3ms a 9ms b', { a: 0, b: 1 });
      expectObservable(grid.ticks(3), '31ms ^ 9ms !').toBe('33ms a', { a: 0 });
    });
  });

  it('keeps different phases on different instants', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const grid = new TickGrid(10, scheduler);
      expectObservable(grid.ticks(0), '^ 20ms !').toBe('10ms a 9ms b', { a: 0, b: 1 });
      expectObservable(grid.ticks(7), '^ 20ms !').toBe('7ms a 9ms b', { a: 0, b: 1 });
    });
  });
});
