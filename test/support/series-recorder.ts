import type { Bar } from '../../src/domain/bar.js';
import { type ServerMessage } from '../../src/testing/index.js';

/**
 * A chart's series as a client builds it from `bars.update` frames, by the protocol's rules
 * (docs/websockets.md, "Exact candles"): a bar is replaced by any later update of the same
 * time; a final bar stays final. It is the oracle the exact-candles tests check against
 * history, independent of the typed client.
 */
export class SeriesRecorder {
  private readonly bars = new Map<number, { readonly bar: Bar; readonly final: boolean }>();
  /** Every final received per bar time, to prove each arrived exactly once. */
  readonly finalsSeen = new Map<number, number>();
  /** Updates that arrived for a bar already final: the protocol says this never happens. */
  readonly afterFinal: ServerMessage[] = [];

  apply(message: ServerMessage): void {
    const bar = message.payload as unknown as Bar;
    const held = this.bars.get(bar.time);
    if (held?.final) {
      this.afterFinal.push(message);
      return;
    }
    this.bars.set(bar.time, { bar, final: message.final === true });
    if (message.final) this.finalsSeen.set(bar.time, (this.finalsSeen.get(bar.time) ?? 0) + 1);
  }

  /**
   * What a resume sends as `since`: the time of the last final bar before the first bar still
   * forming, or, when the series starts with a forming bar, a millisecond before it (so the
   * server replays it too). Undefined for an empty series.
   */
  resumeSince(): number | undefined {
    const times = [...this.bars.keys()].sort((a, b) => a - b);
    const forming = times.find((time) => !this.bars.get(time)?.final);
    if (forming === undefined) return times.at(-1);
    const before = times.filter((time) => time < forming).at(-1);
    return before ?? forming - 1;
  }

  /** The bars in time order, and whether each is final. */
  series(): { readonly bar: Bar; readonly final: boolean }[] {
    return [...this.bars.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  }

  reset(): void {
    this.bars.clear();
  }
}
