import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConsistentBar } from '../../src/domain/bar.js';
import { historicalBar } from '../../src/domain/bar-path.js';
import { LEVEL_MINUTES, mergeBars, splitBar, treeBar } from '../../src/domain/bar-tree.js';
import { historyBars, historyRange } from '../../src/domain/history.js';
import { nextPeriodStart, periodIndex, periodStart, type Resolution } from '../../src/domain/resolution.js';

const context = fc.record({ seed: fc.integer(), symbol: fc.constantFrom('AAPL', 'MSFT', 'X') });
const time = fc.integer({ min: 0, max: 3_000_000_000_000 });
const level = fc.integer({ min: 1, max: LEVEL_MINUTES.length - 1 });

describe('the bar tree', () => {
  it('splits a bar into consistent children that aggregate back to it exactly', () => {
    fc.assert(
      fc.property(context, time, level, (ctx, at, index) => {
        const [parentMinutes, childMinutes] = [LEVEL_MINUTES[index - 1] as number, LEVEL_MINUTES[index] as number];
        const parent = treeBar(ctx, parentMinutes, at);
        const children = splitBar(ctx, parent, parentMinutes, childMinutes);
        expect(children).toHaveLength(parentMinutes / childMinutes);
        for (const child of children) expect(isConsistentBar(child)).toBe(true);
        expect(children.reduce(mergeBars)).toEqual(parent);
        expect(treeBar(ctx, childMinutes, at)).toEqual(children.find((child) => child.time === periodStart(resolutionOf(childMinutes), at)));
      }),
    );
  });

  it.each<[Resolution, Resolution]>([
    ['5', '1'],
    ['60', '15'],
    ['240', '60'],
    ['1D', '240'],
    ['1W', '1D'],
    ['1M', '1D'],
  ])('makes every %s bar the aggregate of the %s bars inside it, as resampling live bars does', (coarse, fine) => {
    fc.assert(
      fc.property(context, time, (ctx, at) => {
        const bar = historicalBar({ ...ctx, resolution: coarse }, periodIndex(coarse, at));
        const inside = historyBars(
          { ...ctx, resolution: fine },
          historyRange(fine, { from: bar.time, to: nextPeriodStart(coarse, at), now: Number.MAX_SAFE_INTEGER }),
        );
        expect(inside.reduce(mergeBars)).toEqual(bar);
      }),
      { numRuns: 20 },
    );
  });
});

function resolutionOf(minutes: number): Resolution {
  return (minutes === 1_440 ? '1D' : String(minutes)) as Resolution;
}

