import type { Hub, OpenedTopic } from '../../src/streams/hub.js';
import { memoryEngine } from '../../src/engines/memory/memory-engine.js';
import type { Resolution } from '../../src/domain/resolution.js';
import type { BarGenerator } from '../../src/streams/bar-stream.js';
import { barsTopicKind } from '../../src/streams/bars-topic.js';

export interface TestBarsOptions {
  readonly catalog: { readonly symbols: readonly string[]; readonly resolutions: readonly Resolution[] };
  readonly seed: number;
  readonly periodMs: number;
  readonly generate?: BarGenerator;
  readonly newEpoch?: () => string;
}

/** The built-in bars kind on the in-process engine, as standalone runs it. */
export function testBarsKind(options: TestBarsOptions) {
  const { catalog, ...engine } = options;
  return barsTopicKind({ catalog: { symbols: [...catalog.symbols], resolutions: [...catalog.resolutions] }, engine: memoryEngine(engine) });
}

/** The one topic a request names, opened; throws with the refusal's message otherwise. */
export function openedTopic(hub: Hub, kind: string, payload: unknown): OpenedTopic {
  const requested = hub.request(kind, payload);
  if (!requested.ok) throw new Error(requested.error.message);
  const [first] = requested.topics;
  if (!first?.ok) throw new Error(first ? first.error.message : 'the request named no topic');
  return first.topic;
}
