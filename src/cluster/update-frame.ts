import { isConsistentBar, type Bar } from '../domain/bar.js';
import { isRecord } from '../domain/json-record.js';

/** A bars update frame read back from Redis: its text, its time stamp and its bar. */
export interface UpdateFrame {
  readonly text: string;
  readonly ts: number;
  readonly bar: Bar;
}

const BAR_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Checks that `text` is a `bars.update` frame for `topic` carrying a well-formed bar.
 * Redis is shared infrastructure: anything on our channel that is not ours is refused
 * here, never forwarded to clients and never continued by a generator.
 */
export function readUpdateFrame(text: string, topic: string): UpdateFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value['type'] !== 'bars.update' || value['topic'] !== topic) return undefined;
  const { ts, payload } = value;
  if (typeof ts !== 'number' || !isRecord(payload)) return undefined;
  if (!BAR_FIELDS.every((field) => Number.isFinite(payload[field]))) return undefined;
  const bar = payload as unknown as Bar;
  return isConsistentBar(bar) ? { text, ts, bar } : undefined;
}
