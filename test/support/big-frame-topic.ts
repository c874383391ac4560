import { interval, map } from 'rxjs';
import type { TopicKind } from '../../src/streams/topic-kind.js';

export interface BigFrame {
  readonly seq: number;
  readonly data: string;
}

/**
 * A `blob` topic (`blob:all`, subscribed with `{"type":"blob.subscribe","payload":{}}`) of
 * big frames every `periodMs`, numbered from 0, so a paused reader backs the server's buffers
 * up within a second and a test can tell whether a reader missed any.
 */
export function bigFrameTopic(periodMs: number, frameBytes: number): TopicKind<Record<string, never>, BigFrame> {
  const data = 'x'.repeat(frameBytes);
  return {
    name: 'blob',
    parse: () => ({ ok: true, params: {} }),
    key: () => 'blob:all',
    describe: () => ({}),
    create: (_params, context) => interval(periodMs, context.scheduler).pipe(map((seq) => ({ seq, data }))),
  };
}

export const BIG_FRAME_TOPIC = 'blob:all';
export const BIG_FRAME_SUBSCRIBE = { type: 'blob.subscribe', payload: {} } as const;
