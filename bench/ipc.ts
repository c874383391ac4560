import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The control channel between the bench driver and its child processes: every child is forked
 * with IPC, answers each request with exactly one reply of the same `type`, and exits on `stop`.
 */
/** `barcast-uws`: barcast itself with `transport.engine: uws` (its WebSocket on uWebSockets.js). */
export type ServerKind = 'raw' | 'uws' | 'socketio' | 'barcast' | 'barcast-uws';

export interface TopicRef {
  readonly symbol: string;
  readonly resolution: string;
}

export interface ServerStart {
  readonly type: 'start';
  readonly server: ServerKind;
  readonly symbols: readonly string[];
  readonly resolutions: readonly string[];
  readonly intervalMs: number;
  /** barcast only: its `fanout.tickSchedule` (default: the config's). */
  readonly tickSchedule?: string;
}

export interface ServerStats {
  readonly type: 'stats';
  /** process.cpuUsage() in microseconds. */
  readonly cpuUs: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** The JS heap's committed size (process.memoryUsage().heapTotal), and of it the young generation's (v8's new_space). */
  readonly heapTotal: number;
  readonly newSpace: number;
  /** performance.eventLoopUtilization(): milliseconds the loop was busy and idle since start. */
  readonly loopActiveMs: number;
  readonly loopIdleMs: number;
  /** process.getActiveResourcesInfo(), counted by resource name (e.g. Timeout, TCPWrap). */
  readonly resources: Readonly<Record<string, number>>;
  /** Topics with a running stream, for servers that know (barcast). */
  readonly activeTopics: number | undefined;
}

export type ServerRequest =
  | ServerStart
  | { readonly type: 'stats'; readonly gc: boolean }
  /** A V8 heap snapshot (after forced GCs) written to `path` (bench/heap-diff.ts). */
  | { readonly type: 'snapshot'; readonly path: string }
  | { readonly type: 'stop' };
export type ServerReply =
  | { readonly type: 'start'; readonly port: number }
  | ServerStats
  | { readonly type: 'snapshot'; readonly path: string }
  | { readonly type: 'stop' };

export type Protocol = 'barcast' | 'socketio';

export interface LoadConnect {
  readonly type: 'connect';
  readonly url: string;
  readonly protocol: Protocol;
  /** One entry per client: the topics it subscribes to. */
  readonly clients: readonly (readonly TopicRef[])[];
  /** Parse the `ts` of one update in this many for latency. */
  readonly sampleEvery: number;
}

export interface LoadChurn {
  readonly type: 'churn';
  readonly cycles: number;
  readonly topics: readonly TopicRef[];
}

export interface LoadReport {
  readonly type: 'report';
  readonly updates: number;
  readonly elapsedMs: number;
  /** Sampled latencies (receipt time minus the update's `ts`), milliseconds. */
  readonly latencies: readonly number[];
}

export type LoadRequest =
  | LoadConnect
  /** More topics for the connected clients, in the order they connected (`clients[i]` for the i-th). */
  | { readonly type: 'subscribe'; readonly clients: readonly (readonly TopicRef[])[] }
  | LoadChurn
  | { readonly type: 'reset' }
  | { readonly type: 'report' }
  | { readonly type: 'disconnect' }
  | { readonly type: 'stop' };
export type LoadReply =
  | { readonly type: 'connect'; readonly connected: number }
  | { readonly type: 'subscribe'; readonly subscribed: number }
  | { readonly type: 'churn'; readonly responses: number }
  | { readonly type: 'reset' }
  | LoadReport
  | { readonly type: 'disconnect' }
  | { readonly type: 'stop' };

/** A forked child that is spoken to one request at a time. */
export class Child<Req extends { type: string }, Rep extends { type: string }> {
  private constructor(private readonly process: ChildProcess) {}

  /** Forks `script` (a .ts file next to this one) under tsx, with `--expose-gc`. */
  static fork<Req extends { type: string }, Rep extends { type: string }>(script: string): Child<Req, Rep> {
    const path = fileURLToPath(new URL(script, import.meta.url));
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every child (open it in Chrome DevTools).
    const profile = process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : [];
    const child = fork(path, [], { execArgv: ['--import', 'tsx', '--expose-gc', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Child<Req, Rep>(child);
  }

  request<T extends Req['type']>(message: Extract<Req, { type: T }>, timeoutMs = 120_000): Promise<Extract<Rep, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${message.type} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (reply: Rep): void => {
        if (reply.type !== message.type) return;
        cleanup();
        resolve(reply as Extract<Rep, { type: T }>);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`child exited with ${code} before replying to ${message.type}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
      };
      this.process.on('message', onMessage);
      this.process.once('exit', onExit);
      this.process.send(message);
    });
  }

  /** Ends the child at once (a measurement is over and nothing in it is needed any more). */
  async kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGKILL');
    await exited;
  }

  /** Asks the child to stop; kills it if it does not within a few seconds. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    try {
      await this.request({ type: 'stop' } as Extract<Req, { type: 'stop' }>, 10_000);
    } catch {
      this.process.kill('SIGKILL');
    }
    await exited;
  }
}

/** Serves requests in a child process: `handle` answers each one; `stop` replies, then exits. */
export function serveRequests<Req extends { type: string }, Rep extends { type: string }>(
  handle: (request: Req) => Promise<Rep>,
): void {
  process.on('message', (request: Req) => {
    handle(request).then(
      (reply) => {
        process.send?.(reply, () => {
          if (request.type === 'stop') process.exit(0);
        });
      },
      (error: unknown) => {
        process.stderr.write(`bench child failed on ${request.type}: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
