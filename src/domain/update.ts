import { isConsistentBar, type Bar } from './bar.js';
import { isRecord } from './json-record.js';
import { nextPeriodStart, type Resolution } from './resolution.js';

/**
 * One update of a topic as it travels from its source to the sockets: the value, and its place
 * in the topic's numbering. docs/websockets.md ("Exact candles") is the contract.
 */
export interface TopicUpdate<T> {
  readonly value: T;
  /** The update's event time, epoch ms: the instant the source computed it. */
  readonly ts: number;
  /** Increases by 1 per update of the topic within `epoch`, from 1; absent on a replayed bar. */
  readonly seq?: number;
  /** Names one numbering of the topic; a new epoch means `seq` started again. */
  readonly epoch?: string;
  /** Bars: this is the bar's last update; its values are history's. */
  readonly final?: boolean;
  /** A closed bar sent from history (resume, or a close the live stream lost), not live. */
  readonly replay?: boolean;
}

/** An update that arrived already serialized (off Redis): its frame is forwarded byte for byte. */
export interface SerializedUpdate<T> extends TopicUpdate<T> {
  readonly frame: string;
}

export function isSerialized<T>(update: TopicUpdate<T>): update is SerializedUpdate<T> {
  return typeof (update as Partial<SerializedUpdate<T>>).frame === 'string';
}

/** The last millisecond of the period of the bar that starts at `barTime`. */
export function closingInstant(resolution: Resolution, barTime: number): number {
  return nextPeriodStart(resolution, barTime) - 1;
}

/** Whether an update at `ts` of the bar starting at `barTime` is that bar's close. */
export function isClosingUpdate(resolution: Resolution, barTime: number, ts: number): boolean {
  return ts >= closingInstant(resolution, barTime);
}

/**
 * The `<kind>.update` frame of an update: the one wire form, written here for the gateway's
 * fan-out and the generator's publishes alike. Absent fields are left out.
 */
export function updateFrame(kind: string, topic: string, update: TopicUpdate<unknown>): string {
  const { ts, seq, epoch, final, replay, value } = update;
  return JSON.stringify({ type: `${kind}.update`, topic, ts, seq, epoch, final, replay, payload: value });
}

const BAR_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

export function isBar(value: unknown): value is Bar {
  return isRecord(value) && BAR_FIELDS.every((field) => Number.isFinite(value[field])) && isConsistentBar(value as unknown as Bar);
}

/**
 * Reads back a `bars.update` frame of `topic` (as published on Redis), or undefined for
 * anything else: Redis is shared infrastructure, and what is not ours is never forwarded.
 */
export function readBarsUpdateFrame(text: string, topic: string): SerializedUpdate<Bar> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value['type'] !== 'bars.update' || value['topic'] !== topic) return undefined;
  const { ts, seq, epoch, final, replay, payload } = value;
  if (typeof ts !== 'number' || !isBar(payload)) return undefined;
  if (seq !== undefined && !Number.isSafeInteger(seq)) return undefined;
  if (epoch !== undefined && typeof epoch !== 'string') return undefined;
  return {
    value: payload,
    ts,
    ...(typeof seq === 'number' ? { seq } : {}),
    ...(typeof epoch === 'string' ? { epoch } : {}),
    ...(final === true ? { final } : final === false ? { final } : {}),
    ...(replay === true ? { replay } : {}),
    frame: text,
  };
}
