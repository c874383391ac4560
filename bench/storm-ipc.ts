import type { TransportEngine } from '../src/config/schema.js';

/**
 * The control messages of W10, the reconnect storm (bench/storm-workload.ts): a barcast server
 * that is restarted on the same port (storm-server.ts), and client processes that reconnect
 * and resume (storm-clients.ts).
 */

/** Simulated time runs `speed` times faster than the wall clock, from `simEpoch` at wall time `wallEpoch`: the same mapping across restarts. */
export interface StormClock {
  readonly speed: number;
  readonly wallEpoch: number;
  readonly simEpoch: number;
}

export type StormServerRequest =
  | {
      readonly type: 'start';
      readonly engine: TransportEngine;
      /** The WebSocket's port, the same across restarts, so clients and HAProxy find it again. */
      readonly port: number;
      readonly symbols: readonly string[];
      readonly intervalMs: number;
      readonly clock: StormClock;
      /** TRUSTED_PROXIES and PROXY_PROTOCOL (when HAProxy is in front). */
      readonly trustedProxies: readonly string[];
      readonly proxyProtocol: boolean;
    }
  /** Answered once the process has loaded barcast: a restart forks the next one ahead, as a supervisor's new process would be ready to bind. */
  | { readonly type: 'ready' }
  | { readonly type: 'stop' };
export type StormServerReply = { readonly type: 'start'; readonly port: number } | { readonly type: 'ready' } | { readonly type: 'stop' };

export interface StormTopic {
  readonly symbol: string;
  readonly resolution: string;
}

export type StormClientRequest =
  /** Opens `count` clients; client i connects to `urls[i % urls.length]` and subscribes to `topics[i % topics.length]`. Resolves once every one is subscribed. */
  | { readonly type: 'open'; readonly urls: readonly string[]; readonly topics: readonly StormTopic[]; readonly count: number; readonly offset: number }
  /** Resolves once every client dropped at or after `since` (wall ms, the restart's start) has its resubscribe answered, or at `timeoutMs`. */
  | { readonly type: 'back'; readonly since: number; readonly timeoutMs: number }
  /** Checks every client's final bars against history, once each holds the bars closed before `until` (sim ms), or at `timeoutMs`. */
  | { readonly type: 'verify'; readonly seed: number; readonly until: number; readonly timeoutMs: number }
  | { readonly type: 'stop' };

export interface StormBack {
  readonly type: 'back';
  /** Wall ms at which each client that is back got its resubscribe answered. */
  readonly backAt: readonly number[];
  readonly missing: number;
  /** Connection attempts after the drop, over all clients, and how they failed. */
  readonly attempts: number;
  readonly refused503: number;
  readonly otherFailures: number;
  /** Bars replayed to clients on resubscribe (`replayed` of the responses). */
  readonly replayed: number;
}

export interface StormVerify {
  readonly type: 'verify';
  /** Clients whose final bars equal history exactly, from their first final to `until`. */
  readonly exact: number;
  readonly inexact: number;
  /** Final bars checked, over all clients. */
  readonly bars: number;
  readonly firstProblem?: string;
}

export type StormClientReply = { readonly type: 'open'; readonly opened: number } | StormBack | StormVerify | { readonly type: 'stop' };
