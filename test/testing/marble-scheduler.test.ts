import { interval, map, share } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { createTestHub, MarbleLimitError, marbleScheduler } from '../../src/testing/index.js';

const vitestEqual = (actual: unknown, expected: unknown): void => {
  expect(actual).toEqual(expected);
};

/** A `ticks:all` kind counting every 10 ms; `resetOnRefCountZero: false` is the refcount bug. */
function tickingKind(resetOnRefCountZero: boolean): TopicKind<Record<string, never>, number> {
  return {
    name: 'ticks',
    parse: () => ({ ok: true, params: {} }),
    key: () => 'ticks:all',
    describe: () => ({}),
    // The hub shares topics itself; a kind that shares its own timer without resetting keeps it alive.
    create: (_params, context) => interval(10, context.scheduler).pipe(share({ resetOnRefCountZero })),
  };
}

function runTicks(resetOnRefCountZero: boolean): void {
  const scheduler = marbleScheduler(vitestEqual, { maxFrames: 60_000 });
  scheduler.run(({ expectObservable }) => {
    const testHub = createTestHub({ scheduler, topicKinds: [tickingKind(resetOnRefCountZero)] });
    expectObservable(testHub.topic<number>('ticks', {}).stream$, '^ 35ms !').toBe('10ms a 9ms b 9ms c', { a: 0, b: 1, c: 2 });
  });
}

describe('marbleScheduler: a TestScheduler that fails fast on a stream that never ends', () => {
  it('asserts through the injected deep equality, as TestScheduler does', () => {
    const seen: [unknown, unknown][] = [];
    const scheduler = marbleScheduler((actual, expected) => {
      seen.push([actual, expected]);
      expect(actual).toEqual(expected);
    });
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b|').pipe(map((value) => value.toUpperCase()))).toBe('A-B|');
    });
    expect(seen).toHaveLength(1);
    expect(() =>
      scheduler.run(({ cold, expectObservable }) => {
        expectObservable(cold('a-b|')).toBe('a-c|');
      }),
    ).toThrow();
  });

  it('fails an endless stream expected without an unsubscription marble with a MarbleLimitError', () => {
    const scheduler = marbleScheduler(vitestEqual, { maxFrames: 10_000 });
    const run = (): void =>
      scheduler.run(({ expectObservable }) => {
        expectObservable(interval(10)).toBe('10ms a 9ms b', { a: 0, b: 1 });
      });
    expect(run).toThrow(MarbleLimitError);
    expect(run).toThrow(/frame limit of 10000 virtual ms .* a stream never ends/);
    // what was left is unsubscribed: the scheduler is not left holding the endless timer
    expect(scheduler.actions).toHaveLength(0);
  });

  it('fails a stream that reschedules at one frame forever by its action limit', () => {
    const scheduler = marbleScheduler(vitestEqual, { maxActions: 1_000 });
    expect(() =>
      scheduler.run(({ expectObservable }) => {
        expectObservable(interval(0)).toBe('');
      }),
    ).toThrow(/limit of 1000 scheduled actions \(at frame 0\)/);
  });

  it('names a broken refcount reset in a topic instead of spinning forever', () => {
    expect(() => runTicks(true)).not.toThrow();
    expect(() => runTicks(false)).toThrow(MarbleLimitError);
    expect(() => runTicks(false)).toThrow(/refcount not reset/);
  });

  it('rethrows an error thrown by scheduled work, and drops what was left, as TestScheduler does', () => {
    const scheduler = marbleScheduler(vitestEqual);
    expect(() =>
      scheduler.run(() => {
        interval(10).subscribe();
        scheduler.schedule(() => {
          throw new Error('boom');
        }, 25);
      }),
    ).toThrow('boom');
    expect(scheduler.actions).toHaveLength(0);
  });
});
