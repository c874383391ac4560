import { runClusterWorkload, type ClusterWorkloadSize } from '../cluster-workload.js';
import { hasCommand, progress } from '../harness.js';
import { defineWorkload } from '../workload.js';

/** W7, cross-process: the latency that 1 generator -> Redis -> 2 gateways adds over one standalone process. */
export const cluster = defineWorkload<ClusterWorkloadSize>({
  ids: ['W7'],
  full: { clients: 1_000, seconds: 10, intervalMs: 100 },
  quick: { clients: 200, seconds: 2, intervalMs: 100 },
  async run(_bench, size) {
    if (!hasCommand('redis-server')) {
      const note = 'W7 skipped: it runs a real redis-server, and none is installed (apt-get install redis-server)';
      progress(note);
      return { notes: [note] };
    }
    progress('W7 cluster: standalone, then 1 generator -> Redis -> 2 gateways');
    const result = await runClusterWorkload(size);
    const { clients, intervalMs, standalone, cluster: split, added } = result;
    return {
      details: { W7: result },
      notes: [
        `W7 cluster (${clients} clients, ${intervalMs} ms, 1 generator -> Redis -> 2 gateways vs standalone): ` +
          `p50 ${standalone.p50} -> ${split.p50} ms, p99 ${standalone.p99} -> ${split.p99} ms; added p50 ${added.p50} ms, p99 ${added.p99} ms`,
      ],
    };
  },
});
