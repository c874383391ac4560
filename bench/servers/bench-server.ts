import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bar } from '../../src/domain/bar.js';
import { mockLastBar } from '../../src/domain/mock-bar.js';
import { parseBarsTopicKey } from '../../src/domain/topic.js';
import type { ServerStart } from '../ipc.js';

/** A server under test, started on 127.0.0.1 and an ephemeral port. */
export interface BenchServer {
  readonly port: number;
  /** Topics with a running stream, where the server can tell. */
  activeTopics?(): number;
  stop(): Promise<void>;
}

export type StartServer = (options: ServerStart) => Promise<BenchServer>;

/** The update payload every server sends: same shape and size as barcast's `bars.update`. */
export function updateFrame(topic: string, ts: number, bar: unknown): string {
  return JSON.stringify({ type: 'bars.update', topic, ts, payload: bar });
}

/** The baselines' next bar of topic `key`: the same generator, hence the same payload, as barcast's. */
export function nextBar(key: string, previous: Bar | undefined, now: number): Bar {
  const topic = parseBarsTopicKey(key) ?? { symbol: 'UNKNOWN', resolution: '1' };
  return mockLastBar(previous, now, { seed: 42, ...topic });
}

/** Listens on 127.0.0.1 and an ephemeral port; resolves with the port. */
export async function listenOnLoopback(http: Server): Promise<number> {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}
