import { progress } from '../harness.js';
import { REDIS_CLUSTER_FULL, REDIS_CLUSTER_QUICK, redisClusterLines, runRedisClusterWorkload } from '../redis-cluster-workload.js';
import { defineWorkload } from '../workload.js';
import { redisClusterBinariesPresent } from '../../test/support/redis-cluster.js';

/** W9, the Redis Cluster engine against one Redis on the same load, with each Redis node's CPU (bench/redis-cluster-workload.ts). */
export const redisCluster = defineWorkload({
  ids: ['W9'],
  full: REDIS_CLUSTER_FULL,
  quick: REDIS_CLUSTER_QUICK,
  async run(_bench, size) {
    if (!redisClusterBinariesPresent()) {
      const note = 'W9 skipped: it runs a real six-node Redis Cluster, and redis-server or redis-cli is missing (apt-get install redis-server redis-tools)';
      progress(note);
      return { notes: [note] };
    }
    progress('W9 Redis Cluster: 1 generator -> one Redis -> 2 gateways, then 1 generator -> six-node cluster -> 2 gateways');
    const result = await runRedisClusterWorkload(size);
    const lines = redisClusterLines(result);
    for (const line of lines) progress(line);
    return { details: { W9: result }, notes: lines };
  },
});
