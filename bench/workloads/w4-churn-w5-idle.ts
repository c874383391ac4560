import { progress } from '../harness.js';
import { absoluteTarget, fixed } from '../report.js';
import { symbols, topicsOf } from '../topics.js';
import { defineWorkload } from '../workload.js';

export interface ChurnResult {
  readonly cycles: number;
  readonly cyclesPerSecond: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly activeTopicsAfter: number;
}

export interface IdleResult {
  readonly idleMs: number;
  readonly cpuCoreShare: number;
  /** Active Timeout handles while idle, and right after start before any client. */
  readonly timers: number;
  readonly baselineTimers: number;
  readonly activeTopics: number;
}

/**
 * W4 then W5 on one barcast process (absolute targets, no peers): subscribe/unsubscribe churn
 * over 400 topics with the heap after GC before and after, then idle with every client still
 * connected and nobody subscribed.
 */
export const churnThenIdle = defineWorkload({
  ids: ['W4', 'W5'],
  full: { clients: 100, cycles: 100_000, idleMs: 10_000 },
  quick: { clients: 50, cycles: 5_000, idleMs: 2_000 },
  async run(bench, size) {
    progress('W4 churn barcast');
    const resolutions = ['1', '5', '15', '60'];
    const topics = topicsOf(symbols(100), resolutions);
    const { server, url } = await bench.startServer('barcast', { symbols: symbols(100), resolutions, intervalMs: 1_000 });
    try {
      const loads = await bench.connectLoads('barcast', url, Array.from({ length: size.clients }, () => []), 1);
      // Timers of the connections alone (the gateway's one shared ping ticker), before any topic ran:
      // W5 counts what is left above this once every topic has been unsubscribed.
      const connected = await bench.stats(server);
      const churn = (cycles: number) => Promise.all(loads.map((load) => load.request({ type: 'churn', cycles: cycles / loads.length, topics })));
      await churn(Math.min(size.cycles, 2 * topics.length * loads.length));
      const before = await bench.stats(server, true);
      const started = Date.now();
      await churn(size.cycles);
      const churnMs = Date.now() - started;
      const after = await bench.stats(server, true);

      progress('W5 idle barcast');
      const idleStart = await bench.stats(server);
      await new Promise((resolve) => setTimeout(resolve, size.idleMs));
      const idleEnd = await bench.stats(server);
      const w4: ChurnResult = {
        cycles: size.cycles,
        cyclesPerSecond: (size.cycles / churnMs) * 1000,
        heapBefore: before.heapUsed,
        heapAfter: after.heapUsed,
        activeTopicsAfter: after.activeTopics ?? Number.NaN,
      };
      const w5: IdleResult = {
        idleMs: size.idleMs,
        cpuCoreShare: (idleEnd.cpuUs - idleStart.cpuUs) / 1000 / size.idleMs,
        timers: idleEnd.resources['Timeout'] ?? 0,
        baselineTimers: connected.resources['Timeout'] ?? 0,
        activeTopics: idleEnd.activeTopics ?? Number.NaN,
      };
      const growth = (w4.heapAfter - w4.heapBefore) / 1_048_576;
      const topicTimers = w5.timers - w5.baselineTimers;
      return {
        details: { W4: w4, W5: w5 },
        notes: [
          `W4 churn: ${w4.cycles} cycles at ${fixed(w4.cyclesPerSecond, 0)}/s; heap after GC ${fixed(w4.heapBefore / 1_048_576)} -> ${fixed(w4.heapAfter / 1_048_576)} MB; active topics after: ${w4.activeTopicsAfter}`,
          `W5 idle ${w5.idleMs} ms: CPU ${fixed(w5.cpuCoreShare * 100, 3)}% of a core; Timeout handles ${w5.timers} (${w5.baselineTimers} with the clients connected, before any subscription); active topics ${w5.activeTopics}`,
        ],
        targets: [
          absoluteTarget('W4', 'heap growth <= 2 MB', growth, growth <= 2, ' MB'),
          absoluteTarget('W4', 'no topic left running', w4.activeTopicsAfter, w4.activeTopicsAfter === 0, ' topics'),
          absoluteTarget('W5', 'zero topic timers', topicTimers, topicTimers <= 0 && w5.activeTopics === 0, ' timers'),
          absoluteTarget('W5', 'CPU < 1% of a core', w5.cpuCoreShare * 100, w5.cpuCoreShare < 0.01, ' %'),
        ],
      };
    } finally {
      await bench.disconnectLoads();
      await server.stop();
    }
  },
});
