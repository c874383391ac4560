import { parseResolution, type Resolution } from './resolution.js';
import { isValidSymbol } from './symbol.js';

/**
 * Topic keys name a stream: `<kind>:<part>:<part>...`, e.g. `bars:AAPL:1`.
 * This file is the one place keys are built and parsed.
 */
export const TOPIC_SEPARATOR = ':';

export function topicKey(kind: string, ...parts: readonly string[]): string {
  return [kind, ...parts].join(TOPIC_SEPARATOR);
}

export interface ParsedTopicKey {
  readonly kind: string;
  readonly parts: readonly string[];
}

export function parseTopicKey(key: string): ParsedTopicKey | undefined {
  const [kind, ...parts] = key.split(TOPIC_SEPARATOR);
  if (!kind || parts.length === 0 || parts.some((part) => part.length === 0)) return undefined;
  return { kind, parts };
}

export const BARS_KIND = 'bars';

export function barsTopicKey(symbol: string, resolution: Resolution): string {
  return topicKey(BARS_KIND, symbol, resolution);
}

export interface BarsTopic {
  readonly symbol: string;
  readonly resolution: Resolution;
}

export function parseBarsTopicKey(key: string): BarsTopic | undefined {
  const parsed = parseTopicKey(key);
  if (!parsed || parsed.kind !== BARS_KIND || parsed.parts.length !== 2) return undefined;
  const [symbol = '', spelling = ''] = parsed.parts;
  const resolution = parseResolution(spelling);
  if (!isValidSymbol(symbol) || resolution !== spelling) return undefined;
  return { symbol, resolution };
}
