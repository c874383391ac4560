/** One value of a timeline: what was emitted, at which virtual frame. */
export interface TimedValue<T> {
  readonly frame: number;
  readonly value: T;
}

export interface MarbleDiagram<T> {
  /** Run-mode marbles (`'a 19999ms b'`), values at the same frame grouped (`'(ab)'`). */
  readonly marbles: string;
  readonly values: Record<string, T>;
}

/** Value letters: a-z, A-Z, then CJK ideographs, none of which the marble syntax reserves. */
function valueKey(index: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return letters[index] ?? String.fromCodePoint(0x4e00 + index - letters.length);
}

/**
 * The run-mode marble diagram of a timeline, for `expectObservable(...).toBe(marbles, values)`
 * (frames as they are: absolute, as `toBe` reads them whatever the subscription marble says)
 * or `cold(marbles, values)` (frames from the subscription). `complete` adds `|` at that frame.
 */
export function marbleDiagram<T>(timeline: readonly TimedValue<T>[], options: { complete?: number } = {}): MarbleDiagram<T> {
  const values: Record<string, T> = {};
  const groups = new Map<number, string[]>();
  timeline.forEach(({ frame, value }, index) => {
    if (frame < 0) throw new RangeError(`a value at frame ${frame}: frames start at 0`);
    const key = valueKey(index);
    values[key] = value;
    groups.set(frame, [...(groups.get(frame) ?? []), key]);
  });
  if (options.complete !== undefined) groups.set(options.complete, [...(groups.get(options.complete) ?? []), '|']);
  const tokens: string[] = [];
  let position = 0;
  for (const frame of [...groups.keys()].sort((a, b) => a - b)) {
    const keys = groups.get(frame) ?? [];
    if (frame < position) throw new RangeError(`frames ${frame} and the previous group are too close to write as marbles`);
    if (frame > position) tokens.push(`${frame - position}ms`);
    const token = keys.length === 1 ? (keys[0] as string) : `(${keys.join('')})`;
    tokens.push(token);
    position = frame + [...token].length;
  }
  return { marbles: tokens.join(' '), values };
}

/**
 * A subscription marble from frame `from` to `to` (`'^ 29ms !'`), both absolute, for
 * `expectObservable(stream$, subscribedBetween(10, 40))` and `expectSubscriptions(...)`.
 * Without `to`, subscribed for good.
 */
export function subscribedBetween(from: number, to?: number): string {
  const start = from > 0 ? `${from}ms ^` : '^';
  if (to === undefined) return start;
  if (to <= from) throw new RangeError(`unsubscription at ${to} is not after the subscription at ${from}`);
  return to === from + 1 ? `${start}!` : `${start} ${to - from - 1}ms !`;
}
