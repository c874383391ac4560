import type { TransportEngine } from '../../src/config/schema.js';
import { hasCommand, progress } from '../harness.js';
import { absoluteTarget, type TargetCheck } from '../report.js';
import { runStorm, type StormPath, type StormResult, type StormSize } from '../storm-workload.js';
import { defineWorkload } from '../workload.js';

/**
 * The bound W10 holds barcast to: every client back (its resubscribe answered) within this
 * many ms of the restart's start (the old process asked to stop). It holds the old process's
 * stop, the new one's start, the clients' own backoff (while the server is away each client's
 * retries double, full jitter: 0.5 s, 1 s, 2 s ...) and taking 10,000 handshakes and replays
 * on 2 cores.
 */
export const W10_ALL_BACK_MS = 15_000;

/**
 * W10, reconnect storm (issue 20): 10,000 clients dropped by a gateway restart reconnect at
 * once, all from one address (a NAT) and through HAProxy with PROXY protocol v2 (two HAProxy
 * processes, for the descriptors), on both engines; every one must be back within
 * W10_ALL_BACK_MS and hold exactly the bars history holds.
 */
export const storm = defineWorkload({
  ids: ['W10'],
  full: { clients: 10_000, settleMs: 3_000, backTimeoutMs: 60_000 } as StormSize,
  quick: { clients: 1_000, settleMs: 2_000, backTimeoutMs: 30_000 } as StormSize,
  async run(bench, size) {
    const engines = (['barcast', 'barcast-uws'] as const).filter((kind) => bench.servers.includes(kind));
    if (engines.length === 0) return { notes: ['W10 skipped: neither barcast nor barcast-uws among --servers'] };
    const paths: StormPath[] = hasCommand('haproxy') ? ['nat', 'haproxy'] : ['nat'];
    const notes: string[] = hasCommand('haproxy') ? [] : ['W10 through HAProxy skipped: no haproxy (Debian package haproxy)'];
    const results: StormResult[] = [];
    for (const kind of engines) {
      const engine: TransportEngine = kind === 'barcast' ? 'ws' : 'uws';
      for (const path of paths) {
        progress(`W10 reconnect storm ${kind} ${path} (${size.clients} clients)`);
        results.push(await runStorm(engine, path, size));
      }
    }
    const targets: TargetCheck[] = results.flatMap((result) => {
      const label = `${result.engine === 'ws' ? 'barcast' : 'barcast-uws'} ${result.path}`;
      return [
        absoluteTarget('W10', `${label}: all ${result.clients} back <= ${W10_ALL_BACK_MS} ms after the restart began`, result.allBackMs, result.missing === 0 && result.allBackMs <= W10_ALL_BACK_MS, ' ms'),
        absoluteTarget('W10', `${label}: every client's bars equal history`, result.verify.exact, result.verify.exact === result.clients, ` of ${result.clients}`),
      ];
    });
    const rows = [
      ['server', 'path', 'clients', 'down ms', 'all back ms', 'back p50/p99 ms', 'missing', 'attempts', '503s', 'replayed bars', 'exact clients', 'bars checked'],
      ...results.map((result) => [
        result.engine === 'ws' ? 'barcast' : 'barcast-uws',
        result.path === 'nat' ? 'one address (NAT)' : 'HAProxy, PROXY v2',
        String(result.clients),
        String(result.downMs),
        String(result.allBackMs),
        `${result.backMs.p50}/${result.backMs.p99}`,
        String(result.missing),
        String(result.attempts),
        String(result.refused503),
        String(result.replayed),
        String(result.verify.exact),
        String(result.verify.bars),
      ]),
    ];
    for (const result of results) if (result.verify.firstProblem) notes.push(`W10 ${result.engine} ${result.path}: ${result.verify.firstProblem}`);
    return { details: { W10: results }, tables: [{ title: 'W10 reconnect storm', rows }], notes, targets };
  },
});
