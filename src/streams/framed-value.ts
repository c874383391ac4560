/**
 * A topic value that arrives already serialized (a gateway's bars come off Redis as the
 * finished update frame). The frame rides along on the value itself, invisible to JSON and
 * to equality, so streams stay typed as plain values and the fan-out can send the frame
 * as-is instead of encoding the value again.
 */
const FRAME = Symbol('barcast.frame');

export function withFrame<T extends object>(value: T, frame: string): T {
  Object.defineProperty(value, FRAME, { value: frame, enumerable: false });
  return value;
}

/** The frame a value arrived as, if it arrived serialized. */
export function frameOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const frame = (value as { [FRAME]?: unknown })[FRAME];
  return typeof frame === 'string' ? frame : undefined;
}
