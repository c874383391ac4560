import type { ServerStart } from '../ipc.js';

/** A server under test, started on 127.0.0.1 and an ephemeral port. */
export interface BenchServer {
  readonly port: number;
  /** Topics with a running stream, where the server can tell. */
  activeTopics(): number | undefined;
  stop(): Promise<void>;
}

export type StartServer = (options: ServerStart) => Promise<BenchServer>;

/** The update payload every server sends: same shape and size as barcast's `bars.update`. */
export function updateFrame(topic: string, ts: number, bar: unknown): string {
  return JSON.stringify({ type: 'bars.update', topic, ts, payload: bar });
}
